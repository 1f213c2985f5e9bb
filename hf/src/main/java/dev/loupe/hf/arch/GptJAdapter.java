package dev.loupe.hf.arch;

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
 * GPT-J ({@code GPTJForCausalLM}): attention and MLP in parallel from one LayerNorm (TransformerLens's ln1 and ln2
 * share its weights), interleaved (rotate-every-two) rotary on the first {@code rotary_dim} dimensions, no
 * attention biases, an lm_head bias.
 */
public final class GptJAdapter implements ArchitectureAdapter {
    @Override
    public Set<String> modelTypes() {
        return Set.of("gptj");
    }

    @Override
    public Set<String> bufferTensors() {
        return Set.of("(transformer\\.)?h\\.\\d+\\.attn\\.(bias|masked_bias|embed_positions)");
    }

    @Override
    public ModelSpec spec(HfConfig c) {
        int d = c.requireInt("n_embd");
        int heads = c.requireInt("n_head");
        int dh = d / heads;
        return new ModelSpec("gptj", c.requireInt("n_layer"), d, heads, heads, dh, c.integer(4 * d, "n_inner"),
                c.requireInt("vocab_size"), c.requireInt("n_positions"), ModelSpec.NormKind.LAYER_NORM,
                c.number(1e-5, "layer_norm_epsilon"), ModelSpec.PositionalKind.ROTARY, c.integer(dh, "rotary_dim"),
                10000, Activations.parse(c, "gelu_new", "activation_function"), false, true,
                c.bool(false, "tie_word_embeddings"), ArchitectureFeatures.builder().interleavedRotary(true).build());
    }

    @Override
    public WeightMapping weights(ModelSpec s, HfConfig c) {
        int d = s.dModel(), h = s.nHeads(), dh = s.dHead(), m = s.dMlp(), v = s.dVocab();
        WeightMapping w = new WeightMapping(s.nLayers(), "transformer.", "")
                .map("W_E", "wte.weight", shape(v, d), UnaryOperator.identity());
        for (String ln : new String[] {"ln1", "ln2"}) {
            w.map("blocks.{l}." + ln + ".w", "h.{l}.ln_1.weight", shape(d), UnaryOperator.identity())
             .map("blocks.{l}." + ln + ".b", "h.{l}.ln_1.bias", shape(d), UnaryOperator.identity());
        }
        for (String p : new String[] {"Q", "K", "V"}) {
            w.map("blocks.{l}.attn.W_" + p, "h.{l}.attn." + p.toLowerCase() + "_proj.weight", shape(d, d),
                    t -> inToHeads(t.transpose(), h, dh));
        }
        return w.map("blocks.{l}.attn.W_O", "h.{l}.attn.out_proj.weight", shape(d, d),
                        t -> outFromHeads(t.transpose(), h, dh))
                .map("blocks.{l}.mlp.W_in", "h.{l}.mlp.fc_in.weight", shape(m, d), Tensor::transpose)
                .map("blocks.{l}.mlp.b_in", "h.{l}.mlp.fc_in.bias", shape(m), UnaryOperator.identity())
                .map("blocks.{l}.mlp.W_out", "h.{l}.mlp.fc_out.weight", shape(d, m), Tensor::transpose)
                .map("blocks.{l}.mlp.b_out", "h.{l}.mlp.fc_out.bias", shape(d), UnaryOperator.identity())
                .map("ln_final.w", "ln_f.weight", shape(d), UnaryOperator.identity())
                .map("ln_final.b", "ln_f.bias", shape(d), UnaryOperator.identity())
                .map("W_U", s.tiedEmbeddings() ? "wte.weight" : "lm_head.weight", shape(v, d), Tensor::transpose)
                .map("b_U", "lm_head.bias", shape(v), UnaryOperator.identity());
    }
}
