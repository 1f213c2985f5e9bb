package dev.loupe.method.transcoder;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Positions;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.intervention.SpliceFunction;

/**
 * A transcoder (Dunefsky, Chlenski &amp; Nanda, NeurIPS 2024): a wide sparse MLP that stands in for an MLP sublayer.
 * z = ReLU((x − b_dec) W_enc + b_enc), ŷ = z W_dec + b_dec_out, reading {@code hookIn} (by default
 * {@code blocks.L.ln2.hook_out}) and predicting {@code hookOut} ({@code blocks.L.hook_mlp_out}).
 *
 * @param hookIn     the activation it reads
 * @param hookOut    the activation it predicts
 * @param convention how its input was normalised during training (see {@link TranscoderFile})
 * @param wEnc       [d_in, d_sae]
 * @param bEnc       [d_sae]
 * @param wDec       [d_sae, d_out]
 * @param bDec       [d_in]
 * @param bDecOut    [d_out]
 */
public record Transcoder(HookPoint hookIn, HookPoint hookOut, String convention, Tensor wEnc, Tensor bEnc, Tensor wDec,
                         Tensor bDec, Tensor bDecOut) {
    public Transcoder {
        new SpliceFunction.SparseMlp(wEnc, bEnc, wDec, bDec, bDecOut); // checks the shapes agree
    }

    /** A transcoder with a sparse MLP's parameters. */
    public static Transcoder of(HookPoint hookIn, HookPoint hookOut, String convention, SpliceFunction.SparseMlp p) {
        return new Transcoder(hookIn, hookOut, convention, p.wEnc(), p.bEnc(), p.wDec(), p.bDec(), p.bDecOut());
    }

    /**
     * The same function in SAELens's transcoder convention, where the input is not centred: b_dec folded into the
     * encoder bias (b_enc' = b_enc − b_dec·W_enc, b_dec zero), b_dec_out unchanged. What files hold.
     */
    public Transcoder saeLensForm() {
        float[] bd = bDec.toArray();
        boolean zero = true;
        for (float v : bd) {
            zero &= v == 0;
        }
        if (zero) {
            return this;
        }
        float[] w = wEnc.toArray();
        float[] be = bEnc.toArray();
        int f = dSae();
        float[] folded = new float[f];
        for (int j = 0; j < f; j++) {
            double shift = 0;
            for (int i = 0; i < bd.length; i++) {
                shift += (double) bd[i] * w[i * f + j];
            }
            folded[j] = (float) (be[j] - shift);
        }
        return new Transcoder(hookIn, hookOut, convention, wEnc, Tensor.vector(folded), wDec, Tensor.zeros(dIn()),
                bDecOut);
    }

    public int dIn() {
        return wEnc.size(0);
    }

    public int dSae() {
        return wEnc.size(1);
    }

    public int dOut() {
        return wDec.size(1);
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
        return new Intervention.Splice(hookOut, hookIn, new SpliceFunction.SparseMlp(wEnc, bEnc, wDec, bDec, bDecOut),
                Positions.all());
    }

    /** Feature activations z of one input vector x [d_in]. */
    public float[] encode(float[] x) {
        int din = dIn();
        int f = dSae();
        float[] w = wEnc.toArray();
        float[] bd = bDec.toArray();
        float[] z = bEnc.toArray();
        for (int i = 0; i < din; i++) {
            float xi = x[i] - bd[i];
            for (int j = 0; j < f; j++) {
                z[j] += xi * w[i * f + j];
            }
        }
        for (int j = 0; j < f; j++) {
            z[j] = Math.max(0, z[j]);
        }
        return z;
    }

    /** ŷ = z W_dec + b_dec_out. */
    public float[] decode(float[] z) {
        int f = dSae();
        int dout = dOut();
        float[] w = wDec.toArray();
        float[] y = bDecOut.toArray();
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
