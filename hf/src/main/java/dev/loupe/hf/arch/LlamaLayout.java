package dev.loupe.hf.arch;

import static dev.loupe.hf.WeightMapping.biasToHeads;
import static dev.loupe.hf.WeightMapping.inToHeads;
import static dev.loupe.hf.WeightMapping.outFromHeads;
import static dev.loupe.hf.WeightMapping.shape;

import dev.loupe.api.ArchitectureFeatures.QkNorm;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.Tensor;
import dev.loupe.hf.WeightMapping;
import java.util.function.UnaryOperator;

/**
 * The tensor layout shared by Llama's descendants ({@code model.layers.{l}.self_attn.q_proj}, {@code nn.Linear}
 * [out, in] weights, RMSNorm gains): which optional parts a family has, and under which names its norms sit.
 *
 * @param qkvBias       q/k/v projections have biases
 * @param outputBias    o_proj has a bias
 * @param mlpBias       gate/up/down projections have biases
 * @param fusedQkv      one {@code qkv_proj} [q | k | v] instead of three (Phi-3)
 * @param fusedGateUp   one {@code gate_up_proj} [gate | up] instead of two (Phi-3)
 * @param gainPlusOne   norm gains are stored as w with the gain 1 + w (Gemma)
 * @param ln1           the input norm of attention, or null (OLMo-2)
 * @param ln1Post       the norm of attention's output, or null
 * @param ln2           the input norm of the MLP, or null
 * @param ln2Post       the norm of the MLP's output, or null
 */
record LlamaLayout(boolean qkvBias, boolean outputBias, boolean mlpBias, boolean fusedQkv, boolean fusedGateUp,
                   boolean gainPlusOne, String ln1, String ln1Post, String ln2, String ln2Post) {

    /** Llama's own layout, biases as given. */
    static LlamaLayout llama(boolean qkvBias, boolean outputBias, boolean mlpBias) {
        return new LlamaLayout(qkvBias, outputBias, mlpBias, false, false, false,
                "input_layernorm", null, "post_attention_layernorm", null);
    }

    LlamaLayout withNorms(String ln1, String ln1Post, String ln2, String ln2Post) {
        return new LlamaLayout(qkvBias, outputBias, mlpBias, fusedQkv, fusedGateUp, gainPlusOne, ln1, ln1Post, ln2, ln2Post);
    }

    LlamaLayout withGainPlusOne() {
        return new LlamaLayout(qkvBias, outputBias, mlpBias, fusedQkv, fusedGateUp, true, ln1, ln1Post, ln2, ln2Post);
    }

    LlamaLayout withFusedProjections() {
        return new LlamaLayout(qkvBias, outputBias, mlpBias, true, true, gainPlusOne, ln1, ln1Post, ln2, ln2Post);
    }

    WeightMapping weights(ModelSpec s) {
        int d = s.dModel(), h = s.nHeads(), kv = s.nKvHeads(), dh = s.dHead(), m = s.dMlp(), v = s.dVocab();
        UnaryOperator<Tensor> gain = gainPlusOne ? WeightMapping::plusOne : UnaryOperator.identity();
        String a = "layers.{l}.self_attn.";
        WeightMapping w = new WeightMapping(s.nLayers(), "model.", "")
                .map("W_E", "embed_tokens.weight", shape(v, d), UnaryOperator.identity());
        norm(w, "ln1", ln1, d, gain);
        norm(w, "ln1_post", ln1Post, d, gain);
        norm(w, "ln2", ln2, d, gain);
        norm(w, "ln2_post", ln2Post, d, gain);
        int[] rows = {h * dh, kv * dh, kv * dh};
        int[] heads = {h, kv, kv};
        String[] qkv = {"Q", "K", "V"};
        for (int i = 0; i < 3; i++) {
            int n = heads[i], from = i == 0 ? 0 : h * dh + (i - 1) * kv * dh, to = from + rows[i];
            if (fusedQkv) {
                w.map("blocks.{l}.attn.W_" + qkv[i], a + "qkv_proj.weight", shape(h * dh + 2 * kv * dh, d),
                        t -> inToHeads(t.slice(0, from, to).transpose(), n, dh));
            } else {
                String hf = a + qkv[i].toLowerCase() + "_proj.";
                w.map("blocks.{l}.attn.W_" + qkv[i], hf + "weight", shape(rows[i], d), t -> inToHeads(t.transpose(), n, dh))
                 .mapIf(qkvBias, "blocks.{l}.attn.b_" + qkv[i], hf + "bias", shape(rows[i]), t -> biasToHeads(t, n, dh));
            }
        }
        if (s.features().qkNorm() != QkNorm.NONE) {
            boolean perHead = s.features().qkNorm() == QkNorm.PER_HEAD;
            w.map("blocks.{l}.attn.q_norm.w", a + "q_norm.weight", shape(perHead ? dh : h * dh), gain)
             .map("blocks.{l}.attn.k_norm.w", a + "k_norm.weight", shape(perHead ? dh : kv * dh), gain);
        }
        w.map("blocks.{l}.attn.W_O", a + "o_proj.weight", shape(d, h * dh), t -> outFromHeads(t.transpose(), h, dh))
         .mapIf(outputBias, "blocks.{l}.attn.b_O", a + "o_proj.bias", shape(d), UnaryOperator.identity());
        String mlp = "layers.{l}.mlp.";
        if (fusedGateUp) {
            w.map("blocks.{l}.mlp.W_gate", mlp + "gate_up_proj.weight", shape(2 * m, d), t -> t.slice(0, 0, m).transpose())
             .map("blocks.{l}.mlp.W_in", mlp + "gate_up_proj.weight", shape(2 * m, d), t -> t.slice(0, m, 2 * m).transpose());
        } else {
            w.map("blocks.{l}.mlp.W_gate", mlp + "gate_proj.weight", shape(m, d), Tensor::transpose)
             .mapIf(mlpBias, "blocks.{l}.mlp.b_gate", mlp + "gate_proj.bias", shape(m), UnaryOperator.identity())
             .map("blocks.{l}.mlp.W_in", mlp + "up_proj.weight", shape(m, d), Tensor::transpose)
             .mapIf(mlpBias, "blocks.{l}.mlp.b_in", mlp + "up_proj.bias", shape(m), UnaryOperator.identity());
        }
        return w.map("blocks.{l}.mlp.W_out", mlp + "down_proj.weight", shape(d, m), Tensor::transpose)
                .mapIf(mlpBias, "blocks.{l}.mlp.b_out", mlp + "down_proj.bias", shape(d), UnaryOperator.identity())
                .map("ln_final.w", "norm.weight", shape(d), gain)
                .map("W_U", s.tiedEmbeddings() ? "embed_tokens.weight" : "lm_head.weight", shape(v, d), Tensor::transpose);
    }

    private static void norm(WeightMapping w, String tl, String hf, int d, UnaryOperator<Tensor> gain) {
        if (hf != null) {
            w.map("blocks.{l}." + tl + ".w", "layers.{l}." + hf + ".weight", shape(d), gain);
        }
    }

}
