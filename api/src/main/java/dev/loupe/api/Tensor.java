package dev.loupe.api;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * An immutable float32 tensor in row-major order: the value that crosses module boundaries
 * (activations, weights, vectors). Engines convert it to and from their native arrays.
 *
 * <p>Equality is element-wise on the bit patterns (as {@link Arrays#equals(float[], float[])}) plus the shape.
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;

    private Tensor(float[] data, int[] shape) {
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        }
        this.shape = shape;
        this.data = data;
    }

    /** A tensor holding a copy of {@code data} with the given shape. */
    public static Tensor of(float[] data, int... shape) {
        return new Tensor(data.clone(), shape.clone());
    }

    /**
     * A tensor that takes ownership of {@code data} without copying: the caller must not touch the array
     * afterwards. For engines and readers that have just produced a fresh array.
     */
    public static Tensor adopt(float[] data, int... shape) {
        return new Tensor(data, shape.clone());
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(new float[Math.toIntExact(numel(shape))], shape.clone());
    }

    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, new int[0]);
    }

    /** A 1-D tensor. */
    public static Tensor vector(float... values) {
        return new Tensor(values.clone(), new int[] {values.length});
    }

    static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code dim}; negative values count from the end. */
    public int size(int dim) {
        return shape[dim < 0 ? shape.length + dim : dim];
    }

    public int numel() {
        return data.length;
    }

    /** A copy of the values, row-major. */
    public float[] toArray() {
        return data.clone();
    }

    /** A read-only view of the values, row-major, without copying. */
    public FloatBuffer buffer() {
        return FloatBuffer.wrap(data).asReadOnlyBuffer();
    }

    public float get(int... index) {
        return data[offset(index)];
    }

    /** The value of a tensor with one element. */
    public float item() {
        if (data.length != 1) {
            throw new IllegalStateException("item() needs one element, tensor has shape " + Arrays.toString(shape));
        }
        return data[0];
    }

    private int offset(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(
                    "index of rank " + index.length + " for tensor of shape " + Arrays.toString(shape));
        }
        int off = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException(
                        "index " + Arrays.toString(index) + " out of range for shape " + Arrays.toString(shape));
            }
            off = off * shape[i] + index[i];
        }
        return off;
    }

    /** The same values with another shape; one dimension may be -1 (inferred). */
    public Tensor reshape(int... newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("only one -1 allowed in " + Arrays.toString(newShape));
                }
                infer = i;
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || data.length % known != 0) {
                throw new IllegalArgumentException(
                        "cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
            }
            s[infer] = (int) (data.length / known);
        }
        return new Tensor(data, s);
    }

    /** Sub-tensor at index {@code i} of the first dimension (rank drops by one), like {@code torch.select(0, i)}. */
    public Tensor select(int i) {
        if (shape.length == 0 || i < 0 || i >= shape[0]) {
            throw new IndexOutOfBoundsException("index " + i + " for shape " + Arrays.toString(shape));
        }
        int inner = data.length / shape[0];
        return new Tensor(Arrays.copyOfRange(data, i * inner, (i + 1) * inner),
                Arrays.copyOfRange(shape, 1, shape.length));
    }

    /** Elements {@code from} (inclusive) to {@code to} (exclusive) along {@code dim}. */
    public Tensor slice(int dim, int from, int to) {
        int d = dim < 0 ? shape.length + dim : dim;
        if (from < 0 || to > shape[d] || from > to) {
            throw new IndexOutOfBoundsException(
                    "slice [" + from + ", " + to + ") of dim " + d + " for shape " + Arrays.toString(shape));
        }
        int outer = 1;
        for (int i = 0; i < d; i++) {
            outer *= shape[i];
        }
        int inner = 1;
        for (int i = d + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        int[] s = shape.clone();
        s[d] = to - from;
        float[] out = new float[outer * s[d] * inner];
        int block = s[d] * inner;
        for (int o = 0; o < outer; o++) {
            System.arraycopy(data, (o * shape[d] + from) * inner, out, o * block, block);
        }
        return new Tensor(out, s);
    }

    /** Dimensions reordered: result dimension i is this tensor's dimension {@code order[i]}. */
    public Tensor permute(int... order) {
        if (order.length != shape.length) {
            throw new IllegalArgumentException("permutation " + Arrays.toString(order) + " for rank " + shape.length);
        }
        int n = shape.length;
        int[] s = new int[n];
        int[] srcStride = strides(shape);
        int[] stride = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = shape[order[i]];
            stride[i] = srcStride[order[i]];
        }
        float[] out = new float[data.length];
        int[] idx = new int[n];
        for (int k = 0; k < out.length; k++) {
            int src = 0;
            for (int i = 0; i < n; i++) {
                src += idx[i] * stride[i];
            }
            out[k] = data[src];
            for (int i = n - 1; i >= 0; i--) {
                if (++idx[i] < s[i]) {
                    break;
                }
                idx[i] = 0;
            }
        }
        return new Tensor(out, s);
    }

    /** Matrix transpose of a rank-2 tensor. */
    public Tensor transpose() {
        if (shape.length != 2) {
            throw new IllegalArgumentException("transpose() needs rank 2, got shape " + Arrays.toString(shape));
        }
        return permute(1, 0);
    }

    private static int[] strides(int[] shape) {
        int[] st = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = acc;
            acc *= shape[i];
        }
        return st;
    }

    public Tensor add(Tensor other) {
        requireSameShape(other, "add");
        float[] out = new float[data.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = data[i] + other.data[i];
        }
        return new Tensor(out, shape);
    }

    public Tensor sub(Tensor other) {
        return add(other.scale(-1f));
    }

    public Tensor scale(float factor) {
        float[] out = new float[data.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = data[i] * factor;
        }
        return new Tensor(out, shape);
    }

    /** Sum of element-wise products, accumulated in double. */
    public double dot(Tensor other) {
        requireSameShape(other, "dot");
        double acc = 0;
        for (int i = 0; i < data.length; i++) {
            acc += (double) data[i] * other.data[i];
        }
        return acc;
    }

    /** This matrix [r, c] times x [c], accumulated in double: [r]. */
    public float[] matVec(float[] x) {
        if (shape.length != 2 || shape[1] != x.length) {
            throw new IllegalArgumentException("matVec needs a matrix [r, " + x.length + "], got " + Arrays.toString(shape));
        }
        int rows = shape[0];
        int cols = shape[1];
        float[] out = new float[rows];
        for (int i = 0; i < rows; i++) {
            double acc = 0;
            for (int j = 0; j < cols; j++) {
                acc += (double) data[i * cols + j] * x[j];
            }
            out[i] = (float) acc;
        }
        return out;
    }

    /** Euclidean norm over all elements. */
    public double norm() {
        return Math.sqrt(dot(this));
    }

    /** Largest absolute element-wise difference; shapes must match. */
    public double maxAbsDiff(Tensor other) {
        requireSameShape(other, "maxAbsDiff");
        double m = 0;
        for (int i = 0; i < data.length; i++) {
            m = Math.max(m, Math.abs((double) data[i] - other.data[i]));
        }
        return m;
    }

    /** Index of the largest element (first on ties). */
    public int argmax() {
        int best = 0;
        for (int i = 1; i < data.length; i++) {
            if (data[i] > data[best]) {
                best = i;
            }
        }
        return best;
    }

    private void requireSameShape(Tensor other, String op) {
        if (!Arrays.equals(shape, other.shape)) {
            throw new IllegalArgumentException(op + ": shapes differ, " + Arrays.toString(shape)
                    + " vs " + Arrays.toString(other.shape));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        int show = Math.min(data.length, 6);
        StringBuilder sb = new StringBuilder("Tensor").append(Arrays.toString(shape)).append('[');
        for (int i = 0; i < show; i++) {
            sb.append(i > 0 ? ", " : "").append(data[i]);
        }
        return sb.append(data.length > show ? ", …]" : "]").toString();
    }
}
