package dev.loupe.hf.arch;

import static dev.loupe.hf.WeightMapping.biasToHeads;
import static dev.loupe.hf.WeightMapping.inToHeads;
import static dev.loupe.hf.WeightMapping.outFromHeads;
import static dev.loupe.hf.WeightMapping.shape;

import dev.loupe.api.ArchitectureFeatures;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.Tensor;
import dev.loupe.hf.ArchitectureAdapter;
import dev.loupe.hf.HfConfig;
import dev.loupe.hf.WeightMapping;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * GPT-2 ({@code GPT2LMHeadModel}). Conv1D weights are stored [in, out]; {@code c_attn} holds [q | k | v] columns.
 * Real checkpoints name tensors with or without the {@code transformer.} prefix.
 */
public final class Gpt2Adapter implements ArchitectureAdapter {
    @Override
    public Set<String> modelTypes() {
        return Set.of("gpt2");
    }

    @Override
    public Set<String> harmlessFields() {
        // Upcasting and reordering the scaled dot product changes nothing in float32.
        return Set.of("reorder_and_upcast_attn");
    }

    @Override
    public Set<String> bufferTensors() {
        return Set.of("(transformer\\.)?h\\.\\d+\\.attn\\.(bias|masked_bias)");
    }

    @Override
    public ModelSpec spec(HfConfig c) {
        int d = c.requireInt("n_embd", "hidden_size");
        int heads = c.requireInt("n_head", "num_attention_heads");
        return new ModelSpec("gpt2", c.requireInt("n_layer", "num_hidden_layers"), d, heads, heads, d / heads,
                c.integer(4 * d, "n_inner"), c.requireInt("vocab_size"), c.requireInt("n_positions", "n_ctx"),
                ModelSpec.NormKind.LAYER_NORM, c.number(1e-5, "layer_norm_epsilon"),
                ModelSpec.PositionalKind.LEARNED, 0, 0, Activations.parse(c, "gelu_new", "activation_function"),
                false, false, c.bool(true, "tie_word_embeddings"), ArchitectureFeatures.builder()
                        .scaleByInverseLayer(c.bool(false, "scale_attn_by_inverse_layer_idx"))
                        .attentionScale(c.bool(true, "scale_attn_weights") ? 0 : 1.0).build());
    }

    @Override
    public WeightMapping weights(ModelSpec s, HfConfig c) {
        int d = s.dModel(), h = s.nHeads(), dh = s.dHead(), m = s.dMlp(), v = s.dVocab();
        WeightMapping w = new WeightMapping(s.nLayers(), "transformer.", "")
                .map("W_E", "wte.weight", shape(v, d), UnaryOperator.identity())
                .map("W_pos", "wpe.weight", shape(s.nCtx(), d), UnaryOperator.identity());
        for (String ln : new String[] {"ln1:ln_1", "ln2:ln_2"}) {
            String[] p = ln.split(":");
            w.map("blocks.{l}." + p[0] + ".w", "h.{l}." + p[1] + ".weight", shape(d), UnaryOperator.identity())
             .map("blocks.{l}." + p[0] + ".b", "h.{l}." + p[1] + ".bias", shape(d), UnaryOperator.identity());
        }
        String[] qkv = {"Q", "K", "V"};
        for (int i = 0; i < 3; i++) {
            int k = i;
            w.map("blocks.{l}.attn.W_" + qkv[i], "h.{l}.attn.c_attn.weight", shape(d, 3 * d),
                    t -> inToHeads(t.slice(1, k * d, (k + 1) * d), h, dh));
            w.map("blocks.{l}.attn.b_" + qkv[i], "h.{l}.attn.c_attn.bias", shape(3 * d),
                    t -> biasToHeads(t.slice(0, k * d, (k + 1) * d), h, dh));
        }
        return w.map("blocks.{l}.attn.W_O", "h.{l}.attn.c_proj.weight", shape(d, d), t -> outFromHeads(t, h, dh))
                .map("blocks.{l}.attn.b_O", "h.{l}.attn.c_proj.bias", shape(d), UnaryOperator.identity())
                .map("blocks.{l}.mlp.W_in", "h.{l}.mlp.c_fc.weight", shape(d, m), UnaryOperator.identity())
                .map("blocks.{l}.mlp.b_in", "h.{l}.mlp.c_fc.bias", shape(m), UnaryOperator.identity())
                .map("blocks.{l}.mlp.W_out", "h.{l}.mlp.c_proj.weight", shape(m, d), UnaryOperator.identity())
                .map("blocks.{l}.mlp.b_out", "h.{l}.mlp.c_proj.bias", shape(d), UnaryOperator.identity())
                .map("ln_final.w", "ln_f.weight", shape(d), UnaryOperator.identity())
                .map("ln_final.b", "ln_f.bias", shape(d), UnaryOperator.identity())
                .map("W_U", s.tiedEmbeddings() ? "wte.weight" : "lm_head.weight", shape(v, d), Tensor::transpose);
    }
}
