package dev.loupe.hf.arch;

import dev.loupe.api.ArchitectureFeatures.NormPlacement;
import dev.loupe.api.ArchitectureFeatures;
import dev.loupe.api.ModelSpec;
import dev.loupe.hf.ArchitectureAdapter;
import dev.loupe.hf.HfConfig;
import dev.loupe.hf.WeightMapping;
import java.util.List;
import java.util.Set;

/**
 * Gemma 1, 2 and 3 (text): embeddings × √d_model, (1 + w) RMSNorm gains (stored here as plain gains), GeGLU with
 * tanh GELU. Gemma 2 adds norms after both sublayers, attention and final-logit soft-caps, the
 * {@code query_pre_attn_scalar} and sliding windows on alternate layers; Gemma 3 adds per-head q/k norms, a
 * local/global layer pattern and a rotary base per layer type.
 */
public final class GemmaAdapter implements ArchitectureAdapter {
    @Override
    public Set<String> modelTypes() {
        return Set.of("gemma", "gemma2", "gemma3_text");
    }

    @Override
    public Set<String> harmlessFields() {
        // Gemma's forward reads hidden_activation; hidden_act is its legacy twin. _sliding_window_pattern is
        // recorded beside layer_types.
        return Set.of("hidden_act", "_sliding_window_pattern");
    }

    @Override
    public ModelSpec spec(HfConfig c) {
        String type = c.modelType();
        int layers = c.requireInt("num_hidden_layers");
        ArchitectureFeatures.Builder f = ArchitectureFeatures.builder()
                .embeddingMultiplier((float) Math.sqrt(c.requireInt("hidden_size")));
        if (!type.equals("gemma")) {
            f.normPlacement(NormPlacement.PRE_AND_POST)
             .attentionScale(1 / Math.sqrt(c.number(256, "query_pre_attn_scalar")));
            boolean gemma2 = type.equals("gemma2");
            // HF's defaults: Gemma 2 caps at 50 and 30, Gemma 3 does not cap; an explicit null is no cap.
            f.attentionSoftcap(softcap(c, "attn_logit_softcapping", gemma2 ? 50 : 0))
             .finalSoftcap(softcap(c, "final_logit_softcapping", gemma2 ? 30 : 0));
        }
        if (type.equals("gemma2")) {
            f.slidingWindows(LayerWindows.read(c, layers, l -> (l + 1) % 2 != 0));
        }
        if (type.equals("gemma3_text")) {
            int pattern = c.integer(6, "sliding_window_pattern");
            List<Integer> windows = LayerWindows.read(c, layers, l -> (l + 1) % pattern != 0);
            RopeConfig.Rope local = RopeConfig.local(c, 10000);
            f.slidingWindows(windows).qkNorm(ArchitectureFeatures.QkNorm.PER_HEAD)
             .localRotaryBase(local.base()).localRopeScaling(local.scaling());
        }
        return LlamaSpecs.spec(c, "hidden_activation", "gelu_pytorch_tanh", true,
                type.equals("gemma3_text") ? 1_000_000 : 10000, f);
    }

    private static double softcap(HfConfig c, String key, double absent) {
        return c.isNull(key) ? 0 : c.number(absent, key);
    }

    @Override
    public WeightMapping weights(ModelSpec s, HfConfig c) {
        boolean bias = c.bool(false, "attention_bias");
        LlamaLayout layout = LlamaLayout.llama(bias, bias, false).withGainPlusOne();
        if (!s.architecture().equals("gemma")) {
            layout = layout.withNorms("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                    "post_feedforward_layernorm");
        }
        return layout.weights(s);
    }
}
