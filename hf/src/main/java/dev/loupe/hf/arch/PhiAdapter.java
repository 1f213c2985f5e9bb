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
 * Phi-1/1.5/2 ({@code PhiForCausalLM}): attention and MLP in parallel from one LayerNorm (ln1 and ln2 share its
 * weights), partial rotate-half rotary, biases on every projection and on the lm_head. {@code qk_layernorm} is
 * refused.
 */
public final class PhiAdapter implements ArchitectureAdapter {
    @Override
    public Set<String> modelTypes() {
        return Set.of("phi");
    }

    @Override
    public Map<String, Object> fixedFields() {
        return Map.of("qk_layernorm", false);
    }

    @Override
    public ModelSpec spec(HfConfig c) {
        int d = c.requireInt("hidden_size");
        int heads = c.requireInt("num_attention_heads");
        int dh = d / heads;
        RopeConfig.Rope rope = RopeConfig.global(c, 10000);
        if (rope.scaling().kind() != dev.loupe.api.RopeScaling.Kind.NONE) {
            throw c.error("rope_scaling", "scales Phi's rotary, which Loupe does not implement for this family");
        }
        return new ModelSpec("phi", c.requireInt("num_hidden_layers"), d, heads, c.integer(heads, "num_key_value_heads"),
                dh, c.requireInt("intermediate_size"), c.requireInt("vocab_size"), c.requireInt("max_position_embeddings"),
                ModelSpec.NormKind.LAYER_NORM, c.number(1e-5, "layer_norm_eps"), ModelSpec.PositionalKind.ROTARY,
                (int) (dh * RopeConfig.partialFactor(c, 0.5)), rope.base(),
                Activations.parse(c, "gelu_new", "hidden_act"), false, true, c.bool(false, "tie_word_embeddings"));
    }

    @Override
    public WeightMapping weights(ModelSpec s, HfConfig c) {
        int d = s.dModel(), h = s.nHeads(), kv = s.nKvHeads(), dh = s.dHead(), m = s.dMlp(), v = s.dVocab();
        WeightMapping w = new WeightMapping(s.nLayers(), "model.", "")
                .map("W_E", "embed_tokens.weight", shape(v, d), UnaryOperator.identity());
        for (String ln : new String[] {"ln1", "ln2"}) {
            w.map("blocks.{l}." + ln + ".w", "layers.{l}.input_layernorm.weight", shape(d), UnaryOperator.identity())
             .map("blocks.{l}." + ln + ".b", "layers.{l}.input_layernorm.bias", shape(d), UnaryOperator.identity());
        }
        String a = "layers.{l}.self_attn.";
        for (String p : new String[] {"Q", "K", "V"}) {
            int n = p.equals("Q") ? h : kv;
            w.map("blocks.{l}.attn.W_" + p, a + p.toLowerCase() + "_proj.weight", shape(n * dh, d),
                    t -> inToHeads(t.transpose(), n, dh))
             .map("blocks.{l}.attn.b_" + p, a + p.toLowerCase() + "_proj.bias", shape(n * dh), t -> biasToHeads(t, n, dh));
        }
        return w.map("blocks.{l}.attn.W_O", a + "dense.weight", shape(d, h * dh), t -> outFromHeads(t.transpose(), h, dh))
                .map("blocks.{l}.attn.b_O", a + "dense.bias", shape(d), UnaryOperator.identity())
                .map("blocks.{l}.mlp.W_in", "layers.{l}.mlp.fc1.weight", shape(m, d), Tensor::transpose)
                .map("blocks.{l}.mlp.b_in", "layers.{l}.mlp.fc1.bias", shape(m), UnaryOperator.identity())
                .map("blocks.{l}.mlp.W_out", "layers.{l}.mlp.fc2.weight", shape(d, m), Tensor::transpose)
                .map("blocks.{l}.mlp.b_out", "layers.{l}.mlp.fc2.bias", shape(d), UnaryOperator.identity())
                .map("ln_final.w", "final_layernorm.weight", shape(d), UnaryOperator.identity())
                .map("ln_final.b", "final_layernorm.bias", shape(d), UnaryOperator.identity())
                .map("W_U", s.tiedEmbeddings() ? "embed_tokens.weight" : "lm_head.weight", shape(v, d), Tensor::transpose)
                .map("b_U", "lm_head.bias", shape(v), UnaryOperator.identity());
    }
}
