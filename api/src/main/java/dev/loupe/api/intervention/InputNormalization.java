package dev.loupe.api.intervention;

/**
 * How a {@link SpliceFunction.SparseMlp} rescales its input before encoding and undoes it after decoding, as
 * SAELens's {@code normalize_activations} does at run time. ({@code expected_average_only_in} is a constant factor,
 * folded into the weights when read.)
 */
public enum InputNormalization {
    /** No rescaling. */
    NONE,
    /** x · √d_in / ‖x‖ in, the output divided by the same coefficient. */
    CONSTANT_NORM_RESCALE,
    /**
     * (x − mean) / (std + 1e-5) in, with std the unbiased standard deviation over the last axis; the output times
     * std plus mean (SAELens's {@code layer_norm}: the eps is not undone).
     */
    LAYER_NORM
}
