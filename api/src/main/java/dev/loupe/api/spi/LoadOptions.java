package dev.loupe.api.spi;

/**
 * How to load a model.
 *
 * @param device     {@code cpu}, {@code cuda} or {@code cuda:N}; engines without the device fail clearly
 * @param processing what is done to the weights after reading them (none by default, as TransformerLens's
 *                   {@code from_pretrained_no_processing})
 */
public record LoadOptions(String device, Processing processing) {
    public static final LoadOptions DEFAULT = new LoadOptions("cpu");

    /** Weight processing at load time. */
    public enum Processing {
        /** The checkpoint's weights as they are. */
        NONE,
        /**
         * TransformerLens's {@code from_pretrained} defaults: fold each norm's gain (and bias) into the weights that
         * read it, centre the weights that write to the residual stream (LayerNorm models), centre the unembedding,
         * fold value biases into the output bias. See {@link dev.loupe.api.WeightProcessing}.
         */
        TRANSFORMER_LENS
    }

    public LoadOptions {
        processing = processing == null ? Processing.NONE : processing;
    }

    public LoadOptions(String device) {
        this(device, Processing.NONE);
    }
}
