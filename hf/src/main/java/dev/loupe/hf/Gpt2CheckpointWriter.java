package dev.loupe.hf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.Tensor;
import dev.loupe.api.Weights;
import dev.loupe.io.SafetensorsWriter;
import dev.loupe.json.LoupeJson;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves a GPT-2-architecture model as a Hugging Face directory ({@code config.json} + {@code model.safetensors}
 * in {@code GPT2LMHeadModel} layout), the inverse of {@link dev.loupe.hf.arch.Gpt2Adapter}. Each file is written
 * to a temporary sibling and moved into place.
 */
public final class Gpt2CheckpointWriter {
    private Gpt2CheckpointWriter() {}

    public static void write(Path dir, ModelSpec s, Weights w, int bosId) {
        if (!s.architecture().equals("gpt2") || s.positional() != ModelSpec.PositionalKind.LEARNED || s.gatedMlp()
                || s.parallelAttnMlp() || s.norm() != ModelSpec.NormKind.LAYER_NORM || s.nKvHeads() != s.nHeads()) {
            throw new LoupeException("only GPT-2-architecture models can be saved in GPT-2 layout, got " + s);
        }
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("transformer.wte.weight", w.get("W_E"));
        t.put("transformer.wpe.weight", w.get("W_pos"));
        for (int l = 0; l < s.nLayers(); l++) {
            String hf = "transformer.h." + l + ".";
            String tl = "blocks." + l + ".";
            t.put(hf + "ln_1.weight", w.get(tl + "ln1.w"));
            t.put(hf + "ln_1.bias", bias(w, tl + "ln1.b", s.dModel()));
            t.put(hf + "attn.c_attn.weight", columns(fused(w.get(tl + "attn.W_Q")), fused(w.get(tl + "attn.W_K")),
                    fused(w.get(tl + "attn.W_V"))));
            int hd = s.nHeads() * s.dHead();
            t.put(hf + "attn.c_attn.bias", columns(bias(w, tl + "attn.b_Q", hd).reshape(1, hd),
                    bias(w, tl + "attn.b_K", hd).reshape(1, hd), bias(w, tl + "attn.b_V", hd).reshape(1, hd)).reshape(3 * hd));
            t.put(hf + "attn.c_proj.weight", w.get(tl + "attn.W_O").reshape(hd, s.dModel()));
            t.put(hf + "attn.c_proj.bias", bias(w, tl + "attn.b_O", s.dModel()));
            t.put(hf + "ln_2.weight", w.get(tl + "ln2.w"));
            t.put(hf + "ln_2.bias", bias(w, tl + "ln2.b", s.dModel()));
            t.put(hf + "mlp.c_fc.weight", w.get(tl + "mlp.W_in"));
            t.put(hf + "mlp.c_fc.bias", bias(w, tl + "mlp.b_in", s.dMlp()));
            t.put(hf + "mlp.c_proj.weight", w.get(tl + "mlp.W_out"));
            t.put(hf + "mlp.c_proj.bias", bias(w, tl + "mlp.b_out", s.dModel()));
        }
        t.put("transformer.ln_f.weight", w.get("ln_final.w"));
        t.put("transformer.ln_f.bias", bias(w, "ln_final.b", s.dModel()));
        if (!s.tiedEmbeddings()) {
            t.put("lm_head.weight", w.get("W_U").transpose());
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), t, Map.of("format", "pt"));
        JsonFiles.write(dir.resolve("config.json"), config(s, bosId));
    }

    private static ObjectNode config(ModelSpec s, int bosId) {
        ObjectNode c = LoupeJson.mapper().createObjectNode();
        c.putArray("architectures").add("GPT2LMHeadModel");
        c.put("model_type", "gpt2").put("vocab_size", s.dVocab()).put("n_positions", s.nCtx()).put("n_ctx", s.nCtx())
                .put("n_embd", s.dModel()).put("n_layer", s.nLayers()).put("n_head", s.nHeads()).put("n_inner", s.dMlp())
                .put("activation_function", switch (s.activation()) {
                    case GELU -> "gelu";
                    case GELU_TANH -> "gelu_new";
                    case RELU -> "relu";
                    case SILU -> "silu";
                })
                .put("layer_norm_epsilon", s.normEps()).put("tie_word_embeddings", s.tiedEmbeddings())
                .put("bos_token_id", bosId).put("eos_token_id", bosId).put("torch_dtype", "float32");
        return c;
    }

    private static Tensor bias(Weights w, String name, int size) {
        return w.has(name) ? w.get(name).reshape(size) : Tensor.zeros(size);
    }

    /** [heads, d_model, d_head] → [d_model, heads·d_head]. */
    private static Tensor fused(Tensor heads) {
        return heads.permute(1, 0, 2).reshape(heads.size(1), -1);
    }

    /** Matrices of equal row count side by side. */
    private static Tensor columns(Tensor... parts) {
        int rows = parts[0].size(0);
        int total = 0;
        for (Tensor p : parts) {
            total += p.size(1);
        }
        float[] out = new float[rows * total];
        int offset = 0;
        for (Tensor p : parts) {
            int cols = p.size(1);
            float[] src = p.toArray();
            for (int r = 0; r < rows; r++) {
                System.arraycopy(src, r * cols, out, r * total + offset, cols);
            }
            offset += cols;
        }
        return Tensor.adopt(out, rows, total);
    }
}
