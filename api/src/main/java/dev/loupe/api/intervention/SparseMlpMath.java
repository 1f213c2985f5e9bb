package dev.loupe.api.intervention;

/** {@link SpliceFunction.SparseMlp}'s function in plain Java, one input vector at a time (double accumulation). */
final class SparseMlpMath {
    private static final double LAYER_NORM_EPS = 1e-5;

    private SparseMlpMath() {}

    static float[] encode(SpliceFunction.SparseMlp p, float[] x) {
        return activate(p, centred(p, normalised(p, x).x()));
    }

    static SpliceFunction.SparseMlp.Output run(SpliceFunction.SparseMlp p, float[] x) {
        Normalised n = normalised(p, x);
        float[] z = activate(p, centred(p, n.x()));
        int f = p.dFeatures();
        int dout = p.dOut();
        java.nio.FloatBuffer w = p.wDec().buffer();
        double[] y = new double[dout];
        float[] b = p.bDecOut().toArray();
        for (int k = 0; k < dout; k++) {
            y[k] = b[k];
        }
        for (int j = 0; j < f; j++) {
            if (z[j] != 0) {
                for (int k = 0; k < dout; k++) {
                    y[k] += (double) z[j] * w.get(j * dout + k);
                }
            }
        }
        float[] out = new float[dout];
        for (int k = 0; k < dout; k++) {
            out[k] = (float) (y[k] * n.outScale() + n.outShift());
        }
        if (p.wSkip() != null) {
            java.nio.FloatBuffer s = p.wSkip().buffer();
            for (int k = 0; k < dout; k++) {
                double acc = 0;
                for (int i = 0; i < x.length; i++) {
                    acc += (double) x[i] * s.get(i * dout + k);
                }
                out[k] += (float) acc;
            }
        }
        return new SpliceFunction.SparseMlp.Output(z, out);
    }

    static float[] clampDelta(SpliceFunction.SparseMlp p, float[] x, int feature, double value) {
        Normalised n = normalised(p, x);
        float[] z = activate(p, centred(p, n.x()));
        int dout = p.dOut();
        double coefficient = (value - z[feature]) * n.outScale();
        java.nio.FloatBuffer w = p.wDec().buffer();
        float[] delta = new float[dout];
        for (int k = 0; k < dout; k++) {
            delta[k] = (float) (coefficient * w.get(feature * dout + k));
        }
        return delta;
    }

    static float[][] activeLinear(SpliceFunction.SparseMlp p, int feature) {
        int din = p.dIn();
        float[] column = new float[din];
        for (int i = 0; i < din; i++) {
            column[i] = p.wEnc().get(i, feature); // one column, not a copy of W_enc per call
        }
        float bias = p.bEnc().get(feature);
        if (p.activation() instanceof SparseActivation.Gated g) {
            float scale = (float) Math.exp(g.rMag().get(feature));
            for (int i = 0; i < din; i++) {
                column[i] *= scale;
            }
            bias = g.bMag().get(feature);
        }
        return new float[][] {column, {bias}};
    }

    /** x after normalisation, and how the output is mapped back: y · outScale + outShift. */
    private record Normalised(float[] x, double outScale, double outShift) {}

    private static Normalised normalised(SpliceFunction.SparseMlp p, float[] x) {
        if (x.length != p.dIn()) {
            throw new IllegalArgumentException("sparse MLP: input has " + x.length + " values, expected d_in "
                    + p.dIn());
        }
        return switch (p.normalization()) {
            case NONE -> new Normalised(x, 1, 0);
            case CONSTANT_NORM_RESCALE -> {
                double sq = 0;
                for (float v : x) {
                    sq += (double) v * v;
                }
                double coeff = Math.sqrt(x.length) / Math.sqrt(sq);
                float[] out = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    out[i] = (float) (x[i] * coeff);
                }
                yield new Normalised(out, 1 / coeff, 0);
            }
            case LAYER_NORM -> {
                double mean = 0;
                for (float v : x) {
                    mean += v;
                }
                mean /= x.length;
                double ss = 0;
                for (float v : x) {
                    ss += (v - mean) * (v - mean);
                }
                double std = Math.sqrt(ss / (x.length - 1));
                float[] out = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    out[i] = (float) ((x[i] - mean) / (std + LAYER_NORM_EPS));
                }
                yield new Normalised(out, std, mean);
            }
        };
    }

    private static float[] centred(SpliceFunction.SparseMlp p, float[] x) {
        float[] b = p.bDec().toArray();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] - b[i];
        }
        return out;
    }

    private static double[] affine(float[] x, java.nio.FloatBuffer w, float[] b, int f) {
        double[] h = new double[f];
        for (int j = 0; j < f; j++) {
            h[j] = b[j];
        }
        for (int i = 0; i < x.length; i++) {
            double xi = x[i];
            if (xi != 0) {
                int row = i * f;
                for (int j = 0; j < f; j++) {
                    h[j] += xi * w.get(row + j);
                }
            }
        }
        return h;
    }

    private static float[] activate(SpliceFunction.SparseMlp p, float[] xc) {
        int f = p.dFeatures();
        double[] h = affine(xc, p.wEnc().buffer(), p.bEnc().toArray(), f);
        float[] z = new float[f];
        switch (p.activation()) {
            case SparseActivation.Relu r -> {
                for (int j = 0; j < f; j++) {
                    z[j] = (float) Math.max(0, h[j]);
                }
            }
            case SparseActivation.JumpRelu jr -> {
                float[] t = jr.threshold().toArray();
                for (int j = 0; j < f; j++) {
                    z[j] = h[j] > t[j] ? (float) Math.max(0, h[j]) : 0f;
                }
            }
            case SparseActivation.TopK tk -> {
                Integer[] order = new Integer[f];
                for (int j = 0; j < f; j++) {
                    order[j] = j;
                }
                java.util.Arrays.sort(order, (a, b) -> h[a] != h[b] ? Double.compare(h[b], h[a]) : Integer.compare(a, b));
                for (int r = 0; r < tk.k(); r++) {
                    z[order[r]] = (float) Math.max(0, h[order[r]]);
                }
            }
            case SparseActivation.Gated g -> {
                // the magnitude path x̂ (W_enc ⊙ exp r) + b_mag is (h − b_gate) · exp r + b_mag: no second product
                float[] r = g.rMag().toArray();
                float[] bGate = p.bEnc().toArray();
                float[] bMag = g.bMag().toArray();
                for (int j = 0; j < f; j++) {
                    double m = (h[j] - bGate[j]) * Math.exp(r[j]) + bMag[j];
                    z[j] = h[j] > 0 ? (float) Math.max(0, m) : 0f;
                }
            }
        }
        return z;
    }
}
