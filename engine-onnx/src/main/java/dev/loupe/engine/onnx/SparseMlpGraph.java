package dev.loupe.engine.onnx;

import static dev.loupe.engine.onnx.InterventionGraph.input;
import static dev.loupe.engine.onnx.InterventionGraph.matrix;
import static dev.loupe.engine.onnx.InterventionGraph.vector;

import dev.loupe.api.intervention.InputNormalization;
import dev.loupe.api.intervention.SparseActivation;
import dev.loupe.api.intervention.SpliceFunction;
import java.util.Map;

/**
 * A {@link SpliceFunction.SparseMlp} as ONNX nodes over the last axis: every encoder kind, the skip path and the
 * normalisations. Tensors are graph inputs fed by {@link #feed}; the kind, k, skip and normalisation are structure
 * ({@link #signature}).
 */
final class SparseMlpGraph {
    private static final float LAYER_NORM_EPS = 1e-5f;

    private SparseMlpGraph() {}

    static String signature(SpliceFunction.SparseMlp t) {
        String kind = switch (t.activation()) {
            case SparseActivation.Relu r -> "relu";
            case SparseActivation.JumpRelu j -> "jumprelu";
            case SparseActivation.TopK k -> "topk" + k.k();
            case SparseActivation.Gated g -> "gated";
        };
        return "[" + kind + (t.wSkip() != null ? ",skip" : "") + "," + t.normalization() + "]";
    }

    /** Every tensor the splice's graph reads. */
    static void feed(Feeds feeds, int i, SpliceFunction.SparseMlp t) {
        feedEncoder(feeds, i, t);
        feeds.put(input(i, "W_dec"), t.wDec());
        feeds.put(input(i, "b_dec_out"), t.bDecOut());
        if (t.wSkip() != null) {
            feeds.put(input(i, "W_skip"), t.wSkip());
        }
    }

    private static void feedEncoder(Feeds feeds, int i, SpliceFunction.SparseMlp t) {
        feeds.put(input(i, "W_enc"), t.wEnc());
        feeds.put(input(i, "b_enc"), t.bEnc());
        feeds.put(input(i, "b_dec"), t.bDec());
        switch (t.activation()) {
            case SparseActivation.JumpRelu j -> feeds.put(input(i, "threshold"), j.threshold());
            case SparseActivation.Gated g -> {
                feeds.put(input(i, "r_mag"), g.rMag());
                feeds.put(input(i, "b_mag"), g.bMag());
            }
            case SparseActivation.Relu r -> { }
            case SparseActivation.TopK k -> { }
        }
    }

    /** Features z of an input, and how the decoder's output maps back: y · outScale + outShift (null: identity). */
    private record Encoded(String z, String outScale, String outShift) {}

    static String forward(GraphBuilder g, int i, SpliceFunction.SparseMlp t, String x) {
        Encoded e = encode(g, i, t, x);
        String y = g.op("Add", g.op("MatMul", e.z(), matrix(g, i, "W_dec")), vector(g, i, "b_dec_out"));
        if (e.outScale() != null) {
            y = g.op("Mul", y, e.outScale());
        }
        if (e.outShift() != null) {
            y = g.op("Add", y, e.outShift());
        }
        return t.wSkip() == null ? y : g.op("Add", y, g.op("MatMul", x, matrix(g, i, "W_skip")));
    }

    /**
     * (value − z_i) · W_dec[i] · outScale: what setting one feature to a value adds to the output. The feature's
     * index, its decoder row and the value are inputs ({@code feature}, {@code d_row}, {@code scalar}).
     */
    static String clampDelta(GraphBuilder g, int i, SpliceFunction.SparseMlp t, String x) {
        Encoded e = encode(g, i, t, x);
        String zi = g.op("Gather", Map.of("axis", -1L), e.z(), g.input(input(i, "feature"), GraphBuilder.Elem.INT64, 1));
        String coefficient = g.op("Sub", g.input(input(i, "scalar"), GraphBuilder.Elem.FLOAT), zi);
        if (e.outScale() != null) {
            coefficient = g.op("Mul", coefficient, e.outScale());
        }
        return g.op("Mul", coefficient, vector(g, i, "d_row"));
    }

    static void feedClamp(Feeds feeds, int i, SpliceFunction.SparseMlp t, int feature, double value) {
        feedEncoder(feeds, i, t);
        feeds.longs(input(i, "feature"), new long[] {feature}, 1);
        feeds.scalar(input(i, "scalar"), value);
        feeds.put(input(i, "d_row"), t.wDec().select(feature));
    }

    private static Encoded encode(GraphBuilder g, int i, SpliceFunction.SparseMlp t, String x) {
        String xn = x;
        String outScale = null;
        String outShift = null;
        String last = g.longs(-1);
        if (t.normalization() == InputNormalization.CONSTANT_NORM_RESCALE) {
            String norm = g.op("Sqrt", g.op("ReduceSum", Map.of("keepdims", 1), g.op("Mul", x, x), last));
            String coeff = g.op("Div", g.scalar((float) Math.sqrt(t.dIn())), norm);
            xn = g.op("Mul", x, coeff);
            outScale = g.op("Div", g.scalar(1f), coeff);
        } else if (t.normalization() == InputNormalization.LAYER_NORM) {
            String mean = g.op("Div", g.op("ReduceSum", Map.of("keepdims", 1), x, last), g.scalar(t.dIn()));
            String centred = g.op("Sub", x, mean);
            String std = g.op("Sqrt", g.op("Div", g.op("ReduceSum", Map.of("keepdims", 1),
                    g.op("Mul", centred, centred), last), g.scalar(t.dIn() - 1f)));
            xn = g.op("Div", centred, g.op("Add", std, g.scalar(LAYER_NORM_EPS)));
            outScale = std;
            outShift = mean;
        }
        String xc = g.op("Sub", xn, vector(g, i, "b_dec"));
        String wEnc = matrix(g, i, "W_enc");
        String h = g.op("Add", g.op("MatMul", xc, wEnc), vector(g, i, "b_enc"));
        String z = switch (t.activation()) {
            case SparseActivation.Relu r -> g.op("Relu", h);
            case SparseActivation.JumpRelu j -> g.op("Where", g.op("Greater", h, vector(g, i, "threshold")),
                    g.op("Relu", h), g.scalar(0f));
            case SparseActivation.TopK k -> {
                String[] top = g.ops("TopK", 2, Map.of("axis", -1L, "largest", 1L, "sorted", 0L), h, g.longs(k.k()));
                yield g.op("ScatterElements", Map.of("axis", -1L), g.op("Mul", h, g.scalar(0f)), top[1],
                        g.op("Relu", top[0]));
            }
            case SparseActivation.Gated gated -> {
                String scaled = g.op("Mul", wEnc, g.op("Exp", vector(g, i, "r_mag")));
                String magnitude = g.op("Relu", g.op("Add", g.op("MatMul", xc, scaled), vector(g, i, "b_mag")));
                yield g.op("Where", g.op("Greater", h, g.scalar(0f)), magnitude, g.scalar(0f));
            }
        };
        return new Encoded(z, outScale, outShift);
    }
}
