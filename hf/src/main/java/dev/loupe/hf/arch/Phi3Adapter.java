package dev.loupe.hf.arch;

import dev.loupe.api.ArchitectureFeatures;
import dev.loupe.api.ModelSpec;
import dev.loupe.hf.ArchitectureAdapter;
import dev.loupe.hf.HfConfig;
import dev.loupe.hf.WeightMapping;
import java.util.Set;

/**
 * Phi-3 ({@code Phi3ForCausalLM}): Llama's math with fused {@code qkv_proj} and {@code gate_up_proj} tensors,
 * partial rotary and an optional sliding window on every layer. {@code longrope} scaling is refused.
 */
public final class Phi3Adapter implements ArchitectureAdapter {
    @Override
    public Set<String> modelTypes() {
        return Set.of("phi3");
    }

    @Override
    public Set<String> harmlessFields() {
        // Read only by longrope scaling, which is refused.
        return Set.of("original_max_position_embeddings");
    }

    @Override
    public ModelSpec spec(HfConfig c) {
        int layers = c.requireInt("num_hidden_layers");
        return LlamaSpecs.spec(c, "hidden_act", "silu", false, ArchitectureFeatures.builder()
                .slidingWindows(LayerWindows.read(c, layers, l -> c.has("sliding_window"))));
    }

    @Override
    public WeightMapping weights(ModelSpec s, HfConfig c) {
        return LlamaLayout.llama(false, false, false).withFusedProjections().weights(s);
    }
}
