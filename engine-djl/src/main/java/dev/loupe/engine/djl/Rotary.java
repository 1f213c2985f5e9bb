package dev.loupe.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.loupe.api.ModelSpec;

/**
 * Rotary position embeddings in Hugging Face's rotate-half layout: dimension i pairs with i + r/2 within the first
 * r = rotary_dim dimensions of each head, at frequency theta^(−2i/r); the remaining dimensions pass through.
 * Tables are computed in float32 per (sequence, position), so left-padded batches get their own positions.
 */
final class Rotary {
    private final NDArray cos;
    private final NDArray sin;
    private final int dim;
    private final int dHead;

    private Rotary(NDArray cos, NDArray sin, int dim, int dHead) {
        this.cos = cos;
        this.sin = sin;
        this.dim = dim;
        this.dHead = dHead;
    }

    static Rotary of(NDManager m, ModelSpec spec, long[] positions, int batch, int length) {
        int r = spec.rotaryDim();
        float[] invFreq = new float[r / 2];
        for (int i = 0; i < r / 2; i++) {
            invFreq[i] = (float) (1.0 / Math.pow(spec.rotaryBase(), (2.0 * i) / r));
        }
        float[] cos = new float[positions.length * r];
        float[] sin = new float[positions.length * r];
        for (int p = 0; p < positions.length; p++) {
            for (int i = 0; i < r / 2; i++) {
                float angle = (float) positions[p] * invFreq[i];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[p * r + i] = c;
                cos[p * r + i + r / 2] = c;
                sin[p * r + i] = s;
                sin[p * r + i + r / 2] = s;
            }
        }
        Shape shape = new Shape(batch, length, 1, r);
        return new Rotary(m.create(cos, shape), m.create(sin, shape), r, spec.dHead());
    }

    /** Rotates x [batch, pos, heads, d_head]. */
    NDArray apply(NDArray x) {
        NDArray rot = dim == dHead ? x : x.get(new NDIndex("..., :" + dim));
        NDArray first = rot.get(new NDIndex("..., :" + dim / 2));
        NDArray second = rot.get(new NDIndex("..., " + dim / 2 + ":"));
        NDArray rotated = second.neg().concat(first, -1);
        NDArray out = rot.mul(cos).add(rotated.mul(sin));
        return dim == dHead ? out : out.concat(x.get(new NDIndex("..., " + dim + ":")), -1);
    }
}
