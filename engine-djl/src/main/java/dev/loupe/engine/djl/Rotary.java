package dev.loupe.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embeddings on the first r = rotary_dim dimensions of each head, the rest passing through: in
 * Hugging Face's rotate-half layout (dimension i pairs with i + r/2) or, for GPT-J, interleaved (2i with 2i + 1),
 * at the given inverse frequencies. Tables are computed in float32 per (sequence, position), so left-padded batches
 * get their own positions.
 */
final class Rotary {
    private final NDArray cos;
    private final NDArray sin;
    private final int dim;
    private final int dHead;
    private final boolean interleaved;

    private Rotary(NDArray cos, NDArray sin, int dim, int dHead, boolean interleaved) {
        this.cos = cos;
        this.sin = sin;
        this.dim = dim;
        this.dHead = dHead;
        this.interleaved = interleaved;
    }

    static Rotary of(NDManager m, float[] invFreq, int dHead, boolean interleaved, long[] positions, int batch,
                     int length) {
        int r = invFreq.length * 2;
        float[] cos = new float[positions.length * r];
        float[] sin = new float[positions.length * r];
        for (int p = 0; p < positions.length; p++) {
            for (int i = 0; i < r / 2; i++) {
                float angle = (float) positions[p] * invFreq[i];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                int a = interleaved ? 2 * i : i;
                int b = interleaved ? 2 * i + 1 : i + r / 2;
                cos[p * r + a] = c;
                cos[p * r + b] = c;
                sin[p * r + a] = s;
                sin[p * r + b] = s;
            }
        }
        Shape shape = new Shape(batch, length, 1, r);
        return new Rotary(m.create(cos, shape), m.create(sin, shape), r, dHead, interleaved);
    }

    /** Rotates x [batch, pos, heads, d_head]. */
    NDArray apply(NDArray x) {
        NDArray rot = dim == dHead ? x : x.get(new NDIndex("..., :" + dim));
        NDArray out = rot.mul(cos).add(rotated(rot).mul(sin));
        return dim == dHead ? out : out.concat(x.get(new NDIndex("..., " + dim + ":")), -1);
    }

    private NDArray rotated(NDArray rot) {
        if (!interleaved) {
            NDArray first = rot.get(new NDIndex("..., :" + dim / 2));
            NDArray second = rot.get(new NDIndex("..., " + dim / 2 + ":"));
            return second.neg().concat(first, -1);
        }
        Shape s = rot.getShape();
        NDArray pairs = rot.reshape(s.get(0), s.get(1), s.get(2), dim / 2, 2);
        NDArray even = pairs.get(new NDIndex("..., 0"));
        NDArray odd = pairs.get(new NDIndex("..., 1"));
        return NDArrays.stack(new ai.djl.ndarray.NDList(odd.neg(), even), -1).reshape(s);
    }
}
