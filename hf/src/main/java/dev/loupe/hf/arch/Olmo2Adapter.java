package dev.loupe.hf.arch;

import dev.loupe.api.ArchitectureFeatures;
import dev.loupe.api.ArchitectureFeatures.NormPlacement;
import dev.loupe.api.ModelSpec;
import dev.loupe.hf.ArchitectureAdapter;
import dev.loupe.hf.HfConfig;
import dev.loupe.hf.WeightMapping;
import java.util.Set;

/**
 * OLMo-2 ({@code Olmo2ForCausalLM}): RMSNorm after attention and after the MLP instead of before (TransformerLens
 * names {@code ln1_post}, {@code ln2_post}), and RMSNorm on the whole query and key projections.
 */
public final class Olmo2Adapter implements ArchitectureAdapter {
    @Override
    public Set<String> modelTypes() {
        return Set.of("olmo2");
    }

    @Override
    public ModelSpec spec(HfConfig c) {
        return LlamaSpecs.spec(c, "hidden_act", "silu", false, ArchitectureFeatures.builder()
                .normPlacement(NormPlacement.POST).qkNorm(ArchitectureFeatures.QkNorm.PROJECTION));
    }

    @Override
    public WeightMapping weights(ModelSpec s, HfConfig c) {
        boolean bias = c.bool(false, "attention_bias");
        return LlamaLayout.llama(bias, bias, false)
                .withNorms(null, "post_attention_layernorm", null, "post_feedforward_layernorm").weights(s);
    }
}
