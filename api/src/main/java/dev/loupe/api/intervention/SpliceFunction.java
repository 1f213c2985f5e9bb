package dev.loupe.api.intervention;

import dev.loupe.api.Tensor;

/** The function a {@link Intervention.Splice} applies to its source activation (over the last axis). */
public sealed interface SpliceFunction {
    /** Input width. */
    int dIn();

    /** Output width. */
    int dOut();

    /**
     * A transcoder / SAE, in SAELens's order: x̂ = norm(x); h = (x̂ − b_dec) W_enc + b_enc; z = activation(h);
     * y = unnorm(z W_dec + b_dec_out) + x W_skip. The 5-argument form is a ReLU with no skip and no normalisation.
     *
     * @param wEnc          [d_in, d_features]
     * @param bEnc          [d_features] (the gate bias for {@link SparseActivation.Gated})
     * @param wDec          [d_features, d_out]
     * @param bDec          [d_in], subtracted from the (normalised) input
     * @param bDecOut       [d_out], added to the output
     * @param activation    how h becomes z; null means ReLU
     * @param wSkip         [d_in, d_out], a linear skip path from the raw input, or null for none
     * @param normalization how the input is rescaled; null means {@link InputNormalization#NONE}
     */
    record SparseMlp(Tensor wEnc, Tensor bEnc, Tensor wDec, Tensor bDec, Tensor bDecOut, SparseActivation activation,
                     Tensor wSkip, InputNormalization normalization) implements SpliceFunction {
        public SparseMlp {
            int f = wEnc.size(1);
            check(wEnc.rank() == 2 && wDec.rank() == 2 && wDec.size(0) == f, "W_enc [d_in, F] and W_dec [F, d_out]");
            check(bEnc.rank() == 1 && bEnc.size(0) == f, "b_enc [" + f + "]");
            check(bDec.rank() == 1 && bDec.size(0) == wEnc.size(0), "b_dec [" + wEnc.size(0) + "]");
            check(bDecOut.rank() == 1 && bDecOut.size(0) == wDec.size(1), "b_dec_out [" + wDec.size(1) + "]");
            activation = activation == null ? new SparseActivation.Relu() : activation;
            normalization = normalization == null ? InputNormalization.NONE : normalization;
            switch (activation) {
                case SparseActivation.JumpRelu j -> check(j.threshold().size(0) == f, "threshold [" + f + "]");
                case SparseActivation.Gated g -> check(g.rMag().size(0) == f, "r_mag and b_mag [" + f + "]");
                case SparseActivation.TopK t -> check(t.k() <= f, "k <= d_features (" + f + ")");
                case SparseActivation.Relu r -> { }
            }
            check(wSkip == null || (wSkip.rank() == 2 && wSkip.size(0) == wEnc.size(0) && wSkip.size(1) == wDec.size(1)),
                    "W_skip [" + wEnc.size(0) + ", " + wDec.size(1) + "]");
        }

        /** A ReLU sparse MLP with no skip path and no input normalisation. */
        public SparseMlp(Tensor wEnc, Tensor bEnc, Tensor wDec, Tensor bDec, Tensor bDecOut) {
            this(wEnc, bEnc, wDec, bDec, bDecOut, null, null, null);
        }

        @Override
        public int dIn() {
            return wEnc.size(0);
        }

        @Override
        public int dOut() {
            return wDec.size(1);
        }

        public int dFeatures() {
            return wEnc.size(1);
        }

        /** A plain ReLU with no skip path and no normalisation: what every engine and trainer supports. */
        public boolean isPlainRelu() {
            return activation instanceof SparseActivation.Relu && wSkip == null
                    && normalization == InputNormalization.NONE;
        }

        /** Feature activations z of one input x [d_in], computed in plain Java: the reference engines agree with. */
        public float[] encode(float[] x) {
            return SparseMlpMath.encode(this, x);
        }

        /** The output y of one input x [d_in], skip path and normalisation included. */
        public float[] forward(float[] x) {
            return run(x).output();
        }

        /** Feature activations and output of one input, from one encoding. */
        public Output run(float[] x) {
            return SparseMlpMath.run(this, x);
        }

        /** What {@link #run} computes: z [d_features] and y [d_out]. */
        public record Output(float[] features, float[] output) {}

        /**
         * How the output moves when feature {@code feature} of input x [d_in] is set to {@code value} and everything
         * else (other features, the reconstruction error, the skip path) is kept: (value − z_i) · W_dec[i] times the
         * normalisation's output scale. {@link Intervention.ClampFeature} adds this to its hook.
         */
        public float[] clampDelta(float[] x, int feature, double value) {
            java.util.Objects.checkIndex(feature, dFeatures());
            return SparseMlpMath.clampDelta(this, x, feature, value);
        }

        /**
         * The linear map an active feature's value follows, as {column [d_in], bias}: z_i = (x̂ − b_dec)·column + bias
         * while the feature is on (W_enc[:, i] and b_enc[i]; for a gated SAE the magnitude path's).
         */
        public float[][] activeLinear(int feature) {
            return SparseMlpMath.activeLinear(this, feature);
        }
    }

    /** y = x W + b with W [d_in, d_out], b [d_out]. */
    record Affine(Tensor w, Tensor b) implements SpliceFunction {
        public Affine {
            check(w.rank() == 2 && b.rank() == 1 && b.size(0) == w.size(1), "W [d_in, d_out] and b [d_out]");
        }

        @Override
        public int dIn() {
            return w.size(0);
        }

        @Override
        public int dOut() {
            return w.size(1);
        }
    }

    /**
     * A splice function of a kind a plugin defines, run by its reference code where an engine runs custom hooks
     * ({@link dev.loupe.api.Capability#CUSTOM_HOOKS}): no gradients flow through it, and an engine without custom
     * hooks refuses it by kind.
     */
    non-sealed interface Extension extends SpliceFunction {
        /** The kind's name, as error messages say it, e.g. {@code acme_rotation}. */
        String kind();

        /** y [..., d_out] for the source activation x [..., d_in] (every leading axis kept). */
        Tensor apply(Tensor source);
    }

    private static void check(boolean ok, String expected) {
        if (!ok) {
            throw new IllegalArgumentException("splice function: expected " + expected);
        }
    }
}
