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

    public int dIn() {
        return wEnc.size(0);
    }

    public int dSae() {
        return wEnc.size(1);
    }

    public int dOut() {
        return wDec.size(1);
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
