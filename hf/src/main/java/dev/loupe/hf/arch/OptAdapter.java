package dev.loupe.hf.arch;

import static dev.loupe.hf.WeightMapping.biasToHeads;
import static dev.loupe.hf.WeightMapping.inToHeads;
import static dev.loupe.hf.WeightMapping.outFromHeads;
import static dev.loupe.hf.WeightMapping.shape;

import dev.loupe.api.ModelSpec;
import dev.loupe.api.Tensor;
import dev.loupe.hf.ArchitectureAdapter;
import dev.loupe.hf.HfConfig;
import dev.loupe.hf.WeightMapping;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * OPT ({@code OPTForCausalLM}), pre-norm variants: learned positions stored with an offset of 2 rows (dropped here,
 * so W_pos row p is position p), ReLU MLP, a final LayerNorm. Post-norm OPT-350m ({@code do_layer_norm_before:
 * false}) and its embedding projections ({@code word_embed_proj_dim} ≠ {@code hidden_size}) are refused.
 */
public final class OptAdapter implements ArchitectureAdapter {
    private static final int POSITION_OFFSET = 2;

    @Override
    public Set<String> modelTypes() {
        return Set.of("opt");
    }

    @Override
    public Map<String, Object> fixedFields() {
        return Map.of("do_layer_norm_before", true, "_remove_final_layer_norm", false,
                "layer_norm_elementwise_affine", true);
    }

    @Override
    public ModelSpec spec(HfConfig c) {
        int d = c.requireInt("hidden_size");
        int heads = c.requireInt("num_attention_heads");
        if (c.integer(d, "word_embed_proj_dim") != d) {
            throw c.error("word_embed_proj_dim", "is " + c.integer(d, "word_embed_proj_dim") + ", not hidden_size " + d
                    + " (OPT's project_in/project_out are not implemented)");
        }
        return new ModelSpec("opt", c.requireInt("num_hidden_layers"), d, heads, heads, d / heads,
                c.requireInt("ffn_dim"), c.requireInt("vocab_size"), c.requireInt("max_position_embeddings"),
                ModelSpec.NormKind.LAYER_NORM, 1e-5, ModelSpec.PositionalKind.LEARNED, 0, 0,
                Activations.parse(c, "relu", "activation_function"), false, false, c.bool(true, "tie_word_embeddings"));
    }

    @Override
    public WeightMapping weights(ModelSpec s, HfConfig c) {
        int d = s.dModel(), h = s.nHeads(), dh = s.dHead(), m = s.dMlp(), v = s.dVocab();
        boolean bias = c.bool(true, "enable_bias");
        WeightMapping w = new WeightMapping(s.nLayers(), "model.decoder.", "decoder.", "")
                .map("W_E", "embed_tokens.weight", shape(v, d), UnaryOperator.identity())
                .map("W_pos", "embed_positions.weight", shape(s.nCtx() + POSITION_OFFSET, d),
                        t -> t.slice(0, POSITION_OFFSET, s.nCtx() + POSITION_OFFSET));
        for (String ln : new String[] {"ln1:self_attn_layer_norm", "ln2:final_layer_norm"}) {
            String[] p = ln.split(":");
            w.map("blocks.{l}." + p[0] + ".w", "layers.{l}." + p[1] + ".weight", shape(d), UnaryOperator.identity())
             .map("blocks.{l}." + p[0] + ".b", "layers.{l}." + p[1] + ".bias", shape(d), UnaryOperator.identity());
        }
        String a = "layers.{l}.self_attn.";
        for (String p : new String[] {"Q", "K", "V"}) {
            w.map("blocks.{l}.attn.W_" + p, a + p.toLowerCase() + "_proj.weight", shape(d, d),
                    t -> inToHeads(t.transpose(), h, dh))
             .mapIf(bias, "blocks.{l}.attn.b_" + p, a + p.toLowerCase() + "_proj.bias", shape(d), t -> biasToHeads(t, h, dh));
        }
        w.map("blocks.{l}.attn.W_O", a + "out_proj.weight", shape(d, d), t -> outFromHeads(t.transpose(), h, dh))
         .mapIf(bias, "blocks.{l}.attn.b_O", a + "out_proj.bias", shape(d), UnaryOperator.identity())
         .map("blocks.{l}.mlp.W_in", "layers.{l}.fc1.weight", shape(m, d), Tensor::transpose)
         .mapIf(bias, "blocks.{l}.mlp.b_in", "layers.{l}.fc1.bias", shape(m), UnaryOperator.identity())
         .map("blocks.{l}.mlp.W_out", "layers.{l}.fc2.weight", shape(d, m), Tensor::transpose)
         .mapIf(bias, "blocks.{l}.mlp.b_out", "layers.{l}.fc2.bias", shape(d), UnaryOperator.identity())
         .map("ln_final.w", "final_layer_norm.weight", shape(d), UnaryOperator.identity())
         .map("ln_final.b", "final_layer_norm.bias", shape(d), UnaryOperator.identity());
        return s.tiedEmbeddings() ? w.map("W_U", "embed_tokens.weight", shape(v, d), Tensor::transpose)
                : w.map("W_U", "lm_head.weight", shape(v, d), Tensor::transpose);
    }
}
