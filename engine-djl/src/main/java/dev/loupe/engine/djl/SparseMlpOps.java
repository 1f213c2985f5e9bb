package dev.loupe.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.loupe.api.intervention.InputNormalization;
import dev.loupe.api.intervention.SparseActivation;
import dev.loupe.api.intervention.SpliceFunction;

/** {@link SpliceFunction.SparseMlp} over the last axis in NDArray ops, every encoder kind, skip and normalisation. */
final class SparseMlpOps {
    private static final float LAYER_NORM_EPS = 1e-5f;

    private SparseMlpOps() {}

    /** Features z of an input, and how the decoder's output maps back: y · outScale + outShift (null: identity). */
    private record Encoded(NDArray z, NDArray outScale, NDArray outShift) {}

    static NDArray forward(NDManager m, SpliceFunction.SparseMlp t, NDArray x) {
        Encoded e = encode(m, t, x);
        NDArray y = e.z().matMul(nd(m, t.wDec())).add(nd(m, t.bDecOut()));
        if (e.outScale() != null) {
            y = y.mul(e.outScale());
        }
        if (e.outShift() != null) {
            y = y.add(e.outShift());
        }
        return t.wSkip() == null ? y : y.add(x.matMul(nd(m, t.wSkip())));
    }

    /** (value − z_i) · W_dec[i] · outScale over the last axis: what setting feature i to value adds to the output. */
    static NDArray clampDelta(NDManager m, SpliceFunction.SparseMlp t, NDArray x, int feature, double value) {
        Encoded e = encode(m, t, x);
        NDArray zi = e.z().get(new NDIndex("..., {}:{}", feature, feature + 1));
        NDArray coefficient = zi.neg().add((float) value);
        if (e.outScale() != null) {
            coefficient = coefficient.mul(e.outScale());
        }
        return coefficient.mul(nd(m, t.wDec().select(feature)));
    }

    private static Encoded encode(NDManager m, SpliceFunction.SparseMlp t, NDArray x) {
        NDArray xn = x;
        NDArray outScale = null;
        NDArray outShift = null;
        if (t.normalization() == InputNormalization.CONSTANT_NORM_RESCALE) {
            NDArray coeff = x.norm(new int[] {-1}, true).pow(-1f).mul((float) Math.sqrt(t.dIn()));
            xn = x.mul(coeff);
            outScale = coeff.pow(-1f);
        } else if (t.normalization() == InputNormalization.LAYER_NORM) {
            NDArray mean = x.mean(new int[] {-1}, true);
            NDArray centred = x.sub(mean);
            NDArray std = centred.square().sum(new int[] {-1}, true).div(t.dIn() - 1f).sqrt();
            xn = centred.div(std.add(LAYER_NORM_EPS));
            outScale = std;
            outShift = mean;
        }
        NDArray xc = xn.sub(nd(m, t.bDec()));
        NDArray wEnc = nd(m, t.wEnc());
        NDArray h = xc.matMul(wEnc).add(nd(m, t.bEnc()));
        NDArray z = switch (t.activation()) {
            case SparseActivation.Relu r -> h.maximum(0f);
            case SparseActivation.JumpRelu j -> Arrays2.where(h.gt(nd(m, j.threshold())), h.maximum(0f), h.zerosLike());
            case SparseActivation.TopK k -> {
                NDList top = h.topK(k.k(), -1, true, false);
                yield h.zerosLike().scatter(top.get(1), top.get(0).maximum(0f), -1);
            }
            case SparseActivation.Gated g -> {
                NDArray magnitude = xc.matMul(wEnc.mul(nd(m, g.rMag()).exp())).add(nd(m, g.bMag())).maximum(0f);
                yield Arrays2.where(h.gt(0f), magnitude, magnitude.zerosLike());
            }
        };
        return new Encoded(z, outScale, outShift);
    }

    private static NDArray nd(NDManager m, dev.loupe.api.Tensor t) {
        return Arrays2.toNd(m, t);
    }
}
