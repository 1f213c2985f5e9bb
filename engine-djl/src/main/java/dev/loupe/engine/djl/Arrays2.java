package dev.loupe.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.api.Tensor;

/** Conversions between api {@link Tensor}s and DJL {@link NDArray}s. */
final class Arrays2 {
    private Arrays2() {}

    static NDArray toNd(NDManager m, Tensor t) {
        return m.create(t.buffer(), shape(t.shape()));
    }

    static Shape shape(int... dims) {
        long[] l = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            l[i] = dims[i];
        }
        return new Shape(l);
    }

    static int[] dims(NDArray a) {
        long[] s = a.getShape().getShape();
        int[] out = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = Math.toIntExact(s[i]);
        }
        return out;
    }

    /** Element-wise {@code cond ? a : b}, with {@code cond} and {@code b} broadcast to {@code a}'s shape. */
    static NDArray where(NDArray cond, NDArray a, NDArray b) {
        Shape shape = a.getShape();
        NDArray c = cond.getShape().equals(shape) ? cond : cond.broadcast(shape);
        NDArray other = b.getShape().equals(shape) ? b : b.broadcast(shape);
        return NDArrays.where(c, a, other);
    }

    /** Whether every parameter's gradient is finite (a NaN or infinity anywhere makes its sum non-finite). */
    static boolean gradientsFinite(Iterable<NDArray> params) {
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            for (NDArray p : params) {
                if (!Double.isFinite(p.getGradient().sum().getFloat())) {
                    return false;
                }
            }
            return true;
        }
    }

    /** √Σ‖∇p‖² over the parameters (float32 sums, as Adam's clipping uses it); not finite if any gradient is not. */
    static double gradientNorm(Iterable<NDArray> params) {
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            double norm = 0;
            for (NDArray p : params) {
                norm += p.getGradient().square().sum().getFloat();
            }
            return Math.sqrt(norm);
        }
    }

    /** The value of a one-element array of any floating type. */
    static double scalar(NDArray a) {
        return a.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
    }

    /**
     * The array as an api tensor: one copy, from a view of the native float32 memory straight into the Java array
     * (DJL's {@code toFloatArray} copies into a fresh, zeroed direct buffer first, then again).
     */
    static Tensor toTensor(NDArray a) {
        NDArray plain = a.hasGradient() ? a.stopGradient() : a;
        if (plain.getDataType() != ai.djl.ndarray.types.DataType.FLOAT32) {
            return Tensor.adopt(plain.toFloatArray(), dims(a));
        }
        float[] out = new float[Math.toIntExact(plain.size())];
        plain.toByteBuffer(true).asFloatBuffer().get(out);
        return Tensor.adopt(out, dims(a));
    }
}
