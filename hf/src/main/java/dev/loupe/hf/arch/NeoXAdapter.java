package dev.loupe.hf.arch;

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
 * GPT-NeoX / Pythia ({@code GPTNeoXForCausalLM}): parallel attention and MLP, partial rotary embeddings,
 * {@code query_key_value} rows grouped per head as [q | k | v]. Reads both the old ({@code rotary_pct},
 * {@code rotary_emb_base}) and the transformers-5 ({@code rope_parameters.*}) rotary keys.
 */
public final class NeoXAdapter implements ArchitectureAdapter {
    @Override
    public Set<String> modelTypes() {
        return Set.of("gpt_neox");
    }

    @Override
    public Set<String> bufferTensors() {
        return Set.of("(gpt_neox\\.)?layers\\.\\d+\\.attention\\.(bias|masked_bias|rotary_emb\\.inv_freq)");
    }

    @Override
    public ModelSpec spec(HfConfig c) {
        int d = c.requireInt("hidden_size");
        int heads = c.requireInt("num_attention_heads");
        int dh = d / heads;
        double pct = RopeConfig.partialFactor(c, 0.25, "rotary_pct");
        RopeConfig.Rope rope = RopeConfig.global(c, c.number(10000, "rotary_emb_base"));
        return new ModelSpec("gpt_neox", c.requireInt("num_hidden_layers"), d, heads, heads, dh,
                c.requireInt("intermediate_size"), c.requireInt("vocab_size"), c.requireInt("max_position_embeddings"),
                ModelSpec.NormKind.LAYER_NORM, c.number(1e-5, "layer_norm_eps"), ModelSpec.PositionalKind.ROTARY,
                (int) (dh * pct), rope.base(),
                Activations.parse(c, "gelu", "hidden_act"), false, c.bool(true, "use_parallel_residual"),
                c.bool(false, "tie_word_embeddings"), ArchitectureFeatures.builder().ropeScaling(rope.scaling()).build());
    }

    @Override
    public WeightMapping weights(ModelSpec s, HfConfig c) {
        boolean bias = c.bool(true, "attention_bias");
        int d = s.dModel(), h = s.nHeads(), dh = s.dHead(), m = s.dMlp(), v = s.dVocab();
        WeightMapping w = new WeightMapping(s.nLayers(), "gpt_neox.", "")
                .map("W_E", "embed_in.weight", shape(v, d), UnaryOperator.identity());
        for (String ln : new String[] {"ln1:input_layernorm", "ln2:post_attention_layernorm"}) {
            String[] p = ln.split(":");
            w.map("blocks.{l}." + p[0] + ".w", "layers.{l}." + p[1] + ".weight", shape(d), UnaryOperator.identity())
             .map("blocks.{l}." + p[0] + ".b", "layers.{l}." + p[1] + ".bias", shape(d), UnaryOperator.identity());
        }
        String[] qkv = {"Q", "K", "V"};
        for (int i = 0; i < 3; i++) {
            int k = i;
            // rows [h, 3, dh] of a Linear [out, in] → [h, d_model, d_head]
            w.map("blocks.{l}.attn.W_" + qkv[i], "layers.{l}.attention.query_key_value.weight", shape(3 * d, d),
                    t -> t.reshape(h, 3, dh, d).slice(1, k, k + 1).reshape(h, dh, d).permute(0, 2, 1));
            w.mapIf(bias, "blocks.{l}.attn.b_" + qkv[i], "layers.{l}.attention.query_key_value.bias", shape(3 * d),
                    t -> t.reshape(h, 3, dh).slice(1, k, k + 1).reshape(h, dh));
        }
        return w.map("blocks.{l}.attn.W_O", "layers.{l}.attention.dense.weight", shape(d, d),
                        t -> outFromHeads(t.transpose(), h, dh))
                .mapIf(bias, "blocks.{l}.attn.b_O", "layers.{l}.attention.dense.bias", shape(d), UnaryOperator.identity())
                .map("blocks.{l}.mlp.W_in", "layers.{l}.mlp.dense_h_to_4h.weight", shape(m, d), Tensor::transpose)
                .map("blocks.{l}.mlp.b_in", "layers.{l}.mlp.dense_h_to_4h.bias", shape(m), UnaryOperator.identity())
                .map("blocks.{l}.mlp.W_out", "layers.{l}.mlp.dense_4h_to_h.weight", shape(d, m), Tensor::transpose)
                .map("blocks.{l}.mlp.b_out", "layers.{l}.mlp.dense_4h_to_h.bias", shape(d), UnaryOperator.identity())
                .map("ln_final.w", "final_layer_norm.weight", shape(d), UnaryOperator.identity())
                .map("ln_final.b", "final_layer_norm.bias", shape(d), UnaryOperator.identity())
                .map("W_U", s.tiedEmbeddings() ? "embed_in.weight" : "embed_out.weight", shape(v, d), Tensor::transpose);
    }
}
