package dev.loupe.hf.arch;

import dev.loupe.api.ArchitectureFeatures;
import dev.loupe.api.ModelSpec;
import dev.loupe.hf.ArchitectureAdapter;
import dev.loupe.hf.HfConfig;
import dev.loupe.hf.WeightMapping;
import java.util.List;
import java.util.Set;

/**
 * Llama and its close relatives: Llama 1–3 ({@code attention_bias}, {@code mlp_bias}, linear and llama3 rope
 * scaling), Mistral (a sliding window on every layer), Qwen2 (q/k/v biases; a sliding window on the layers from
 * {@code max_window_layers} on when {@code use_sliding_window}). RMSNorm, rotate-half rotary, grouped-query
 * attention, SwiGLU.
 */
public final class LlamaAdapter implements ArchitectureAdapter {
    @Override
    public Set<String> modelTypes() {
        return Set.of("llama", "mistral", "qwen2");
    }

    @Override
    public ModelSpec spec(HfConfig c) {
        int layers = c.requireInt("num_hidden_layers");
        List<Integer> windows = switch (c.modelType()) {
            case "mistral" -> LayerWindows.read(c, layers, l -> c.has("sliding_window"));
            case "qwen2" -> LayerWindows.readGated(c, layers);
            default -> List.of();
        };
        return LlamaSpecs.spec(c, "hidden_act", "silu", false, ArchitectureFeatures.builder().slidingWindows(windows));
    }

    @Override
    public WeightMapping weights(ModelSpec s, HfConfig c) {
        boolean attention = c.bool(false, "attention_bias");
        return LlamaLayout.llama(attention || s.architecture().equals("qwen2"), attention, c.bool(false, "mlp_bias"))
                .weights(s);
    }
}
