package dev.loupe.engine.onnx;

import dev.loupe.api.HookPoint;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.intervention.SpliceFunction;
import dev.loupe.engine.onnx.GraphBuilder.Elem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A request's interventions as subgraphs inserted at their hook points. Everything that is data — vectors, values,
 * factors, a transcoder's weights, and which positions are touched (a boolean mask) — is a graph input named
 * {@code iv{i}.…}, so one graph serves every request with the same {@link #signature}; see {@link InterventionFeeds}.
 */
final class InterventionGraph implements TransformerGraph.HookEdits {
    private final List<Intervention> interventions;

    InterventionGraph(List<Intervention> interventions) {
        this.interventions = List.copyOf(interventions);
    }

    /** What the graph depends on: kinds, hooks, splice sources and functions, and the rank of each parameter. */
    static String signature(List<Intervention> interventions) {
        List<String> parts = new ArrayList<>();
        for (Intervention iv : interventions) {
            String part = iv.getClass().getSimpleName() + "@" + iv.hook().name();
            if (iv instanceof Intervention.Splice s) {
                part += "<-" + s.source().name() + ":" + s.function().getClass().getSimpleName();
                if (s.function() instanceof SpliceFunction.SparseMlp t) {
                    part += SparseMlpGraph.signature(t);
                }
            } else if (iv instanceof Intervention.ClampFeature c) {
                part += "<-" + c.source().name() + SparseMlpGraph.signature(c.dictionary());
            }
            part += iv.parameter().map(t -> "/r" + t.rank()).orElse("");
            parts.add(part);
        }
        return String.join(";", parts);
    }

    static String input(int intervention, String what) {
        return "iv" + intervention + "." + what;
    }

    /** Rank of a hook's activation. */
    static int rank(HookPoint hook) {
        return switch (hook.site().shape()) {
            case RESID, MLP, SCALE -> 3;
            case HEADS, KV_HEADS, PATTERN, HEAD_SCALE, KV_HEAD_SCALE -> 4;
        };
    }

    @Override
    public String at(GraphBuilder g, HookPoint hook, String x) {
        for (int i = 0; i < interventions.size(); i++) {
            Intervention iv = interventions.get(i);
            if (iv.hook().equals(hook)) {
                String edited = edit(g, i, iv, x);
                String mask = g.input(input(i, "mask"), Elem.BOOL, maskDims(i, hook));
                x = g.op("Where", mask, edited, x);
            }
        }
        return x;
    }

    /** The mask broadcasts over every axis but the position axis. */
    private static Object[] maskDims(int i, HookPoint hook) {
        Object[] dims = new Object[rank(hook)];
        Arrays.fill(dims, 1);
        dims[hook.site().shape().positionAxis()] = input(i, "pos");
        return dims;
    }

    private String edit(GraphBuilder g, int i, Intervention iv, String x) {
        return switch (iv) {
            case Intervention.AddVector a -> g.op("Add", x, g.op("Mul", parameter(g, i, iv), scalarInput(g, i)));
            case Intervention.DirectionalAblation d -> {
                String v = parameter(g, i, iv);
                String unit = g.op("Div", v, g.op("Sqrt", g.op("ReduceSum", Map.of("keepdims", 0), g.op("Mul", v, v))));
                yield g.op("Sub", x, g.op("Mul", project(g, x, unit, iv.hook()), unit));
            }
            case Intervention.Clamp c -> {
                String v = parameter(g, i, iv);
                String coefficient = g.op("Div", project(g, x, v, iv.hook()),
                        g.op("ReduceSum", Map.of("keepdims", 0), g.op("Mul", v, v)));
                yield g.op("Add", g.op("Sub", x, g.op("Mul", coefficient, v)), g.op("Mul", v, scalarInput(g, i)));
            }
            case Intervention.Replace r -> g.op("Expand", parameter(g, i, iv), g.op("Shape", x));
            case Intervention.MeanAblate m -> g.op("Expand", parameter(g, i, iv), g.op("Shape", x));
            case Intervention.Scale s -> g.op("Mul", x, scalarInput(g, i));
            case Intervention.Zero z -> g.scalar(0f);
            case Intervention.Splice s -> splice(g, i, s, sourceOf(s, x));
            case Intervention.ClampFeature c -> g.op("Add", x, SparseMlpGraph.clampDelta(g, i, c.dictionary(),
                    sourceOf(c, x)));
            case Intervention.Custom c -> throw new IllegalStateException("custom interventions are refused earlier");
            case Intervention.Extension e -> throw new IllegalStateException("plugin kinds are refused earlier");
        };
    }

    private static String parameter(GraphBuilder g, int i, Intervention iv) {
        int rank = iv.parameter().orElseThrow().rank();
        Object[] dims = new Object[rank];
        Arrays.setAll(dims, d -> input(i, "param_d" + d));
        return g.input(input(i, "param"), Elem.FLOAT, dims);
    }

    private static String scalarInput(GraphBuilder g, int i) {
        return g.input(input(i, "scalar"), Elem.FLOAT);
    }

    /** (x · v) summed over the axes after the position axis, kept for broadcasting. */
    private static String project(GraphBuilder g, String x, String v, HookPoint hook) {
        int rank = rank(hook);
        int posAxis = hook.site().shape().positionAxis();
        long[] axes = new long[rank - posAxis - 1];
        Arrays.setAll(axes, a -> posAxis + 1 + a);
        return g.op("ReduceSum", Map.of("keepdims", 1), g.op("Mul", x, v), g.longs(axes));
    }

    /** The tensor an intervention reads: an earlier hook's named output, or the value so far at its own hook. */
    private static String sourceOf(Intervention iv, String x) {
        HookPoint source = iv.readsFrom().orElseThrow();
        return source.equals(iv.hook()) ? x : source.name();
    }

    private static String splice(GraphBuilder g, int i, Intervention.Splice s, String source) {
        return switch (s.function()) {
            case SpliceFunction.SparseMlp t -> SparseMlpGraph.forward(g, i, t, source);
            case SpliceFunction.Affine a -> g.op("Add", g.op("MatMul", source, matrix(g, i, "W")), vector(g, i, "b"));
            case SpliceFunction.Extension e -> throw new IllegalStateException("plugin kinds are refused earlier");
        };
    }

    static String matrix(GraphBuilder g, int i, String name) {
        return g.input(input(i, name), Elem.FLOAT, input(i, name + "_rows"), input(i, name + "_cols"));
    }

    static String vector(GraphBuilder g, int i, String name) {
        return g.input(input(i, name), Elem.FLOAT, input(i, name + "_size"));
    }
}
