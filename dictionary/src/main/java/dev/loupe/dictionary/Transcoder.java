package dev.loupe.dictionary;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Positions;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.intervention.SparseActivation;
import dev.loupe.api.intervention.SpliceFunction;

/**
 * A transcoder (Dunefsky, Chlenski &amp; Nanda, NeurIPS 2024) or SAE: a wide sparse MLP that reads {@code hookIn}
 * (by default {@code blocks.L.ln2.hook_out}) and predicts {@code hookOut} ({@code blocks.L.hook_mlp_out}; the same
 * hook for an SAE). Its function is {@code mlp}: any encoder kind (ReLU, JumpReLU, TopK, gated), an optional skip
 * path and input normalisation; see {@link SpliceFunction.SparseMlp}.
 *
 * @param hookIn     the activation it reads
 * @param hookOut    the activation it predicts
 * @param convention how its input was normalised during training (see {@link TranscoderFile})
 * @param mlp        its function and weights
 */
public record Transcoder(HookPoint hookIn, HookPoint hookOut, String convention, SpliceFunction.SparseMlp mlp) {
    public Transcoder {
        java.util.Objects.requireNonNull(mlp, "mlp");
    }

    /** A ReLU transcoder: z = ReLU((x − b_dec) W_enc + b_enc), ŷ = z W_dec + b_dec_out. */
    public Transcoder(HookPoint hookIn, HookPoint hookOut, String convention, Tensor wEnc, Tensor bEnc, Tensor wDec,
                      Tensor bDec, Tensor bDecOut) {
        this(hookIn, hookOut, convention, new SpliceFunction.SparseMlp(wEnc, bEnc, wDec, bDec, bDecOut));
    }

    /** A transcoder with a sparse MLP's parameters. */
    public static Transcoder of(HookPoint hookIn, HookPoint hookOut, String convention, SpliceFunction.SparseMlp p) {
        return new Transcoder(hookIn, hookOut, convention, p);
    }

    public Tensor wEnc() {
        return mlp.wEnc();
    }

    public Tensor bEnc() {
        return mlp.bEnc();
    }

    public Tensor wDec() {
        return mlp.wDec();
    }

    public Tensor bDec() {
        return mlp.bDec();
    }

    public Tensor bDecOut() {
        return mlp.bDecOut();
    }

    /**
     * The same function in SAELens's transcoder convention, where the input is not centred: b_dec folded into the
     * encoder biases (b_enc' = b_enc − b_dec·W_enc, and b_mag likewise for a gated encoder; b_dec zero), b_dec_out
     * unchanged. What transcoder files hold.
     */
    public Transcoder saeLensForm() {
        if (isZero(bDec())) {
            return this;
        }
        float[] bd = bDec().toArray();
        float[] w = wEnc().toArray();
        float[] be = bEnc().toArray();
        SparseActivation.Gated gated = mlp.activation() instanceof SparseActivation.Gated g ? g : null;
        float[] bMag = gated == null ? null : gated.bMag().toArray();
        int f = dSae();
        float[] folded = new float[f];
        for (int j = 0; j < f; j++) {
            double shift = 0;
            for (int i = 0; i < bd.length; i++) {
                shift += (double) bd[i] * w[i * f + j];
            }
            folded[j] = (float) (be[j] - shift);
            if (gated != null) { // the magnitude path's column is W_enc[:, j] · exp(r_mag[j])
                bMag[j] = (float) (bMag[j] - shift * Math.exp(gated.rMag().get(j)));
            }
        }
        SparseActivation activation = gated == null ? mlp.activation()
                : new SparseActivation.Gated(gated.rMag(), Tensor.vector(bMag));
        return new Transcoder(hookIn, hookOut, convention, new SpliceFunction.SparseMlp(wEnc(), Tensor.vector(folded),
                wDec(), Tensor.zeros(dIn()), bDecOut(), activation, mlp.wSkip(), mlp.normalization()));
    }

    static boolean isZero(Tensor t) {
        for (float v : t.toArray()) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }

    public int dIn() {
        return mlp.dIn();
    }

    public int dSae() {
        return mlp.dFeatures();
    }

    public int dOut() {
        return mlp.dOut();
    }

    /**
     * This transcoder, after checking it fits {@code spec}: both hooks fire in the model and {@code d_in} /
     * {@code d_out} are the widths of the activations there; else a one-line error naming {@code source}.
     */
    public Transcoder requireFits(dev.loupe.api.ModelSpec spec, Object source) {
        for (HookPoint h : new HookPoint[] {hookIn, hookOut}) {
            try {
                spec.requireHook(h);
            } catch (dev.loupe.api.LoupeException e) {
                throw new dev.loupe.api.LoupeException(source + ": " + e.getMessage());
            }
        }
        int[] in = spec.shapeOf(hookIn, 1, 1);
        int[] out = spec.shapeOf(hookOut, 1, 1);
        if (in[in.length - 1] != dIn() || out[out.length - 1] != dOut()) {
            throw new dev.loupe.api.LoupeException(source + ": d_in " + dIn() + " / d_out " + dOut() + " do not fit "
                    + hookIn + " (width " + in[in.length - 1] + ") / " + hookOut + " (width " + out[out.length - 1]
                    + ") of this " + spec.architecture() + " model: the transcoder belongs to another model");
        }
        return this;
    }

    /** The intervention that runs this transcoder in place of {@code hookOut} at every position. */
    public Intervention.Splice splice() {
        return new Intervention.Splice(hookOut, hookIn, mlp, Positions.all());
    }

    /**
     * The intervention that sets feature {@code feature} to {@code value} at {@code positions} and keeps the rest of
     * {@code hookOut} (an SAE's reconstruction error, a transcoder's other features and skip path).
     */
    public Intervention.ClampFeature clamp(int feature, double value, Positions positions) {
        return new Intervention.ClampFeature(hookOut, hookIn, mlp, feature, value, positions);
    }

    /** Feature activations z of one input vector x [d_in]. */
    public float[] encode(float[] x) {
        return mlp.encode(x);
    }

    /** The prediction ŷ [d_out] for one input x [d_in]: decoder, skip path and normalisation included. */
    public float[] forward(float[] x) {
        return mlp.forward(x);
    }

    /** z W_dec + b_dec_out: the decoder alone (no skip path, no normalisation). */
    public float[] decode(float[] z) {
        int f = dSae();
        int dout = dOut();
        float[] w = wDec().toArray();
        float[] y = bDecOut().toArray();
        for (int j = 0; j < f; j++) {
            if (z[j] != 0) {
                for (int k = 0; k < dout; k++) {
                    y[k] += z[j] * w[j * dout + k];
                }
            }
        }
        return y;
    }
}
