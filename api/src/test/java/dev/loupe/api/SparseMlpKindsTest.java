package dev.loupe.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loupe.api.intervention.InputNormalization;
import dev.loupe.api.intervention.SparseActivation;
import dev.loupe.api.intervention.SpliceFunction.SparseMlp;
import org.junit.jupiter.api.Test;

/** Each encoder kind, the skip path and the normalisations on numbers worked by hand (tolerance 1e-6). */
class SparseMlpKindsTest {
    // d_in 2, 3 features: h = x W_enc + b_enc with W_enc = [[1, 0, -1], [0, 2, 1]], b_enc = [0, -1, 0.5]
    private static final Tensor W_ENC = Tensor.of(new float[] {1, 0, -1, 0, 2, 1}, 2, 3);
    private static final Tensor B_ENC = Tensor.vector(0, -1, 0.5f);
    private static final Tensor W_DEC = Tensor.of(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
    private static final Tensor ZERO2 = Tensor.zeros(2);

    private static SparseMlp mlp(SparseActivation a, Tensor skip, InputNormalization n) {
        return new SparseMlp(W_ENC, B_ENC, W_DEC, ZERO2, Tensor.vector(0.5f, -0.5f), a, skip, n);
    }

    @Test
    void encodersFollowTheirRules() {
        float[] x = {3, 1}; // h = [3, 1, -1.5]
        assertArrayEquals(new float[] {3, 1, 0}, mlp(null, null, null).encode(x), 1e-6f);
        assertArrayEquals(new float[] {3, 0, 0},
                mlp(new SparseActivation.JumpRelu(Tensor.vector(2, 1, -5)), null, null).encode(x), 1e-6f);
        assertArrayEquals(new float[] {3, 0, 0}, mlp(new SparseActivation.TopK(1), null, null).encode(x), 1e-6f);
        // gated: gate h > 0 opens features 0 and 1; magnitudes x (W_enc * exp(r)) + b_mag with r = [0, ln 2, 0]
        SparseActivation.Gated g = new SparseActivation.Gated(Tensor.vector(0, (float) Math.log(2), 0),
                Tensor.vector(1, -10, 7));
        assertArrayEquals(new float[] {4, 0, 0}, mlp(g, null, null).encode(x), 1e-5f); // 3+1; 4-10 < 0; gate shut
        assertArrayEquals(new float[] {3.5f, 0.5f}, mlp(null, null, null).forward(x), 1e-6f); // [3,1,0] W_dec + b
    }

    @Test
    void skipAndNormalisation() {
        float[] x = {3, 1};
        Tensor skip = Tensor.of(new float[] {1, 0, 0, -1}, 2, 2);
        assertArrayEquals(new float[] {6.5f, -0.5f}, mlp(null, skip, null).forward(x), 1e-6f);
        // constant_norm_rescale is scale-free: the output of 10 x is 10 times the output of x when b_dec_out is 0
        SparseMlp c = new SparseMlp(W_ENC, B_ENC, W_DEC, ZERO2, ZERO2, null, null,
                InputNormalization.CONSTANT_NORM_RESCALE);
        float[] y = c.forward(x);
        float[] y10 = c.forward(new float[] {30, 10});
        assertArrayEquals(new float[] {10 * y[0], 10 * y[1]}, y10, 1e-4f);
        // layer_norm on [3, 1]: mean 2, unbiased std sqrt(2); x̂ = [1, -1]/(sqrt 2 + 1e-5); h = [0.7071, -2.414, -1.207]
        SparseMlp ln = mlp(null, null, InputNormalization.LAYER_NORM);
        float xh = (float) (1 / (Math.sqrt(2) + 1e-5));
        assertArrayEquals(new float[] {xh, 0, 0}, ln.encode(x), 1e-6f);
        float s = (float) Math.sqrt(2);
        assertArrayEquals(new float[] {(xh + 0.5f) * s + 2, -0.5f * s + 2}, ln.forward(x), 1e-5f);
    }

    @Test
    void clampingAFeatureMovesTheOutputAlongItsDecoderRow() {
        float[] x = {3, 1}; // z = [3, 1, 0]
        // feature 1 from 1 to 4: + 3 * W_dec[1] = [0, 3]; feature 2 from 0 to -2: -2 * W_dec[2] = [-2, -2]
        assertArrayEquals(new float[] {0, 3}, mlp(null, null, null).clampDelta(x, 1, 4), 1e-6f);
        assertArrayEquals(new float[] {-2, -2}, mlp(null, null, null).clampDelta(x, 2, -2), 1e-6f);
        // the skip path is untouched by a feature; layer_norm scales the decoder row by the input's std (sqrt 2)
        Tensor skip = Tensor.of(new float[] {1, 0, 0, -1}, 2, 2);
        assertArrayEquals(new float[] {-3, 0}, mlp(null, skip, null).clampDelta(x, 0, 0), 1e-6f);
        float xh = (float) (1 / (Math.sqrt(2) + 1e-5)); // z_0 under layer_norm, as above
        float s = (float) Math.sqrt(2);
        assertArrayEquals(new float[] {(1 - xh) * s, 0},
                mlp(null, null, InputNormalization.LAYER_NORM).clampDelta(x, 0, 1), 1e-5f);
        assertThrows(IndexOutOfBoundsException.class, () -> mlp(null, null, null).clampDelta(x, 3, 1));
    }

    @Test
    void shapesAreChecked() {
        assertThrows(IllegalArgumentException.class,
                () -> mlp(new SparseActivation.JumpRelu(Tensor.vector(1, 2)), null, null));
        assertThrows(IllegalArgumentException.class, () -> mlp(new SparseActivation.TopK(4), null, null));
        assertThrows(IllegalArgumentException.class, () -> mlp(null, Tensor.zeros(3, 2), null));
    }
}
