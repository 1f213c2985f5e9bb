package dev.loupe.hf.arch;

import dev.loupe.api.ArchitectureFeatures;
import dev.loupe.api.ModelSpec;
import dev.loupe.hf.HfConfig;

/** The {@link ModelSpec} of a Llama descendant: the fields they all share, read in one place. */
final class LlamaSpecs {
    private LlamaSpecs() {}

    /**
     * @param activationKey   the config key naming the MLP's activation
     * @param activation      its default
     * @param tiedDefault     the family's default for {@code tie_word_embeddings}
     * @param features        the family's features; the rope scaling of global layers is added here
     */
    static ModelSpec spec(HfConfig c, String activationKey, String activation, boolean tiedDefault,
                          ArchitectureFeatures.Builder features) {
        return spec(c, activationKey, activation, tiedDefault, 10000, features);
    }

    /** As above, with the family's default rotary base ({@code rope_theta}) for global layers. */
    static ModelSpec spec(HfConfig c, String activationKey, String activation, boolean tiedDefault, double baseDefault,
                          ArchitectureFeatures.Builder features) {
        int d = c.requireInt("hidden_size");
        int heads = c.requireInt("num_attention_heads");
        int dh = c.integer(d / heads, "head_dim");
        RopeConfig.Rope rope = RopeConfig.global(c, baseDefault);
        int rotary = (int) (dh * RopeConfig.partialFactor(c, 1.0));
        return new ModelSpec(c.modelType(), c.requireInt("num_hidden_layers"), d, heads,
                c.integer(heads, "num_key_value_heads"), dh, c.requireInt("intermediate_size"),
                c.requireInt("vocab_size"), c.requireInt("max_position_embeddings"), ModelSpec.NormKind.RMS_NORM,
                c.number(1e-6, "rms_norm_eps"), ModelSpec.PositionalKind.ROTARY, rotary, rope.base(),
                Activations.parse(c, activation, activationKey), true, false, c.bool(tiedDefault, "tie_word_embeddings"),
                features.ropeScaling(rope.scaling()).build());
    }
}
