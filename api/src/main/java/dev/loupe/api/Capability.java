package dev.loupe.api;

/** What an engine can do beyond a plain forward pass with hooks and data interventions. */
public enum Capability {
    /** {@link Model#gradients} works. */
    GRADIENTS,
    /**
     * {@link dev.loupe.api.intervention.Intervention.Custom} hooks (arbitrary Java code) run, and so do plugins'
     * {@link dev.loupe.api.intervention.Intervention.Extension} kinds, by their reference code.
     */
    CUSTOM_HOOKS,
    /** {@link Model#trainer} trains the model's own weights. */
    TRAINING,
    /** {@link Model#decoder} keeps keys and values, so generation runs one position per step. */
    KV_CACHE,
    /** Tensors can live on a CUDA device. */
    CUDA
}
