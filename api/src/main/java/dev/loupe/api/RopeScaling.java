package dev.loupe.api;

/**
 * How rotary frequencies are rescaled for a longer context, as Hugging Face's {@code rope_type}: {@code default}
 * (none), {@code linear} (every frequency divided by the factor) and {@code llama3} (long wavelengths divided by
 * the factor, short ones kept, a smooth blend between). Other kinds change the attention magnitude or depend on
 * the sequence length, and are refused when a config is read.
 *
 * @param kind            the scaling rule
 * @param factor          the scaling factor (linear, llama3)
 * @param lowFreqFactor   llama3's {@code low_freq_factor}
 * @param highFreqFactor  llama3's {@code high_freq_factor}
 * @param originalContext llama3's {@code original_max_position_embeddings}
 */
public record RopeScaling(Kind kind, double factor, double lowFreqFactor, double highFreqFactor, int originalContext) {
    /** No scaling. */
    public static final RopeScaling NONE = new RopeScaling(Kind.NONE, 0, 0, 0, 0);

    /** The scaling rules Loupe computes. */
    public enum Kind { NONE, LINEAR, LLAMA3 }

    public RopeScaling {
        kind = kind == null ? Kind.NONE : kind;
        if (kind != Kind.NONE && !(factor > 0 && Double.isFinite(factor))) {
            throw new IllegalArgumentException("rope scaling factor must be a positive number, got " + factor);
        }
        if (kind == Kind.LLAMA3 && !(originalContext > 0 && highFreqFactor > lowFreqFactor && lowFreqFactor > 0)) {
            throw new IllegalArgumentException("llama3 rope scaling needs original_max_position_embeddings > 0 and "
                    + "high_freq_factor > low_freq_factor > 0, got " + originalContext + ", " + highFreqFactor
                    + ", " + lowFreqFactor);
        }
    }

    public static RopeScaling linear(double factor) {
        return new RopeScaling(Kind.LINEAR, factor, 0, 0, 0);
    }

    public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalContext) {
        return new RopeScaling(Kind.LLAMA3, factor, lowFreqFactor, highFreqFactor, originalContext);
    }

    /**
     * The r/2 inverse frequencies base^(−2i/r), scaled by this rule, in float32 as Hugging Face computes them.
     */
    public float[] inverseFrequencies(double base, int rotaryDim) {
        float[] out = new float[rotaryDim / 2];
        for (int i = 0; i < out.length; i++) {
            float inv = (float) (1.0 / Math.pow(base, (2.0 * i) / rotaryDim));
            out[i] = switch (kind) {
                case NONE -> inv;
                case LINEAR -> (float) (inv / factor);
                case LLAMA3 -> llama3(inv);
            };
        }
        return out;
    }

    private float llama3(float inv) {
        double lowWavelength = originalContext / lowFreqFactor;
        double highWavelength = originalContext / highFreqFactor;
        double wavelength = 2 * Math.PI / inv;
        if (wavelength < highWavelength) {
            return inv;
        }
        if (wavelength > lowWavelength) {
            return (float) (inv / factor);
        }
        double smooth = (originalContext / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        return (float) ((1 - smooth) * inv / factor + smooth * inv);
    }
}
