package dev.loupe.hf.arch;

import dev.loupe.api.ArchitectureFeatures;
import dev.loupe.api.ModelSpec;
import dev.loupe.hf.ArchitectureAdapter;
import dev.loupe.hf.HfConfig;
import dev.loupe.hf.WeightMapping;
import java.util.Set;

/** Qwen3 ({@code Qwen3ForCausalLM}): Qwen2's layout without q/k/v biases, plus RMSNorm on each query and key head. */
public final class Qwen3Adapter implements ArchitectureAdapter {
    @Override
    public Set<String> modelTypes() {
        return Set.of("qwen3");
    }

    @Override
    public ModelSpec spec(HfConfig c) {
        return LlamaSpecs.spec(c, "hidden_act", "silu", false, ArchitectureFeatures.builder()
                .slidingWindows(LayerWindows.readGated(c, c.requireInt("num_hidden_layers")))
                .qkNorm(ArchitectureFeatures.QkNorm.PER_HEAD));
    }

    @Override
    public WeightMapping weights(ModelSpec s, HfConfig c) {
        boolean bias = c.bool(false, "attention_bias");
        return LlamaLayout.llama(bias, bias, false).weights(s);
    }
}
