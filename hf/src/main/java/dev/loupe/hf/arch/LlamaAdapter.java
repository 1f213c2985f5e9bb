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
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Llama and its close relatives (Mistral, Qwen2, SmolLM): RMSNorm, rotate-half rotary embeddings, grouped-query
 * attention, SwiGLU MLP, {@code nn.Linear} weights stored [out, in]. Q/K/V biases (Qwen2) are read when present.
 * Scaled rotary variants ({@code rope_scaling}) and sliding windows longer than the input are not modelled.
 */
public final class LlamaAdapter implements ArchitectureAdapter {
    @Override
    public Set<String> modelTypes() {
        return Set.of("llama", "mistral", "qwen2");
    }

    @Override
    public ModelSpec spec(HfConfig c) {
        if (c.has("rope_scaling") && !c.string("default", "rope_scaling.rope_type", "rope_scaling.type").equals("default")) {
            throw c.error("rope_scaling", "asks for a scaled rotary variant, which Loupe does not support yet");
        }
        int d = c.requireInt("hidden_size");
        int heads = c.requireInt("num_attention_heads");
        int dh = c.integer(d / heads, "head_dim");
        return new ModelSpec(c.modelType(), c.requireInt("num_hidden_layers"), d, heads,
                c.integer(heads, "num_key_value_heads"), dh, c.requireInt("intermediate_size"),
                c.requireInt("vocab_size"), c.requireInt("max_position_embeddings"), ModelSpec.NormKind.RMS_NORM,
                c.number(1e-6, "rms_norm_eps"), ModelSpec.PositionalKind.ROTARY, dh,
                c.number(10000, "rope_theta", "rope_parameters.rope_theta"), Activations.parse(c, "silu", "hidden_act"),
                true, false, c.bool(false, "tie_word_embeddings"));
    }

    @Override
    public WeightMapping weights(ModelSpec s) {
        int d = s.dModel(), h = s.nHeads(), kv = s.nKvHeads(), dh = s.dHead(), m = s.dMlp(), v = s.dVocab();
        String a = "layers.{l}.self_attn.";
        return new WeightMapping(s.nLayers(), "model.", "")
                .map("W_E", "embed_tokens.weight", shape(v, d), UnaryOperator.identity())
                .map("blocks.{l}.ln1.w", "layers.{l}.input_layernorm.weight", shape(d), UnaryOperator.identity())
                .map("blocks.{l}.attn.W_Q", a + "q_proj.weight", shape(h * dh, d), t -> inToHeads(t.transpose(), h, dh))
                .map("blocks.{l}.attn.W_K", a + "k_proj.weight", shape(kv * dh, d), t -> inToHeads(t.transpose(), kv, dh))
                .map("blocks.{l}.attn.W_V", a + "v_proj.weight", shape(kv * dh, d), t -> inToHeads(t.transpose(), kv, dh))
                .optional("blocks.{l}.attn.b_Q", a + "q_proj.bias", shape(h * dh), t -> biasToHeads(t, h, dh))
                .optional("blocks.{l}.attn.b_K", a + "k_proj.bias", shape(kv * dh), t -> biasToHeads(t, kv, dh))
                .optional("blocks.{l}.attn.b_V", a + "v_proj.bias", shape(kv * dh), t -> biasToHeads(t, kv, dh))
                .map("blocks.{l}.attn.W_O", a + "o_proj.weight", shape(d, h * dh), t -> outFromHeads(t.transpose(), h, dh))
                .optional("blocks.{l}.attn.b_O", a + "o_proj.bias", shape(d), UnaryOperator.identity())
                .map("blocks.{l}.ln2.w", "layers.{l}.post_attention_layernorm.weight", shape(d), UnaryOperator.identity())
                .map("blocks.{l}.mlp.W_gate", "layers.{l}.mlp.gate_proj.weight", shape(m, d), Tensor::transpose)
                .map("blocks.{l}.mlp.W_in", "layers.{l}.mlp.up_proj.weight", shape(m, d), Tensor::transpose)
                .map("blocks.{l}.mlp.W_out", "layers.{l}.mlp.down_proj.weight", shape(d, m), Tensor::transpose)
                .map("ln_final.w", "norm.weight", shape(d), UnaryOperator.identity())
                .map("W_U", s.tiedEmbeddings() ? "embed_tokens.weight" : "lm_head.weight", shape(v, d), Tensor::transpose);
    }
}
