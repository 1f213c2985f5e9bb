package dev.loupe.engine.onnx;

import static dev.loupe.engine.onnx.InterventionGraph.input;

import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.intervention.SpliceFunction;
import java.util.Arrays;
import java.util.List;

/**
 * Checks a request's interventions against the hooks' shapes and feeds their data to the graph that
 * {@link InterventionGraph} wrote: one-line errors name the intervention's kind and hook, as on every engine.
 */
final class InterventionFeeds {
    private InterventionFeeds() {}

    /** Refuses what this engine cannot run (custom code) and hooks the model does not have, before any graph. */
    static void requireRunnable(ModelSpec spec, List<Intervention> interventions) {
        for (Intervention iv : interventions) {
            if (iv instanceof Intervention.Custom) {
                throw new LoupeException("engine '" + OnnxEngine.NAME + "' cannot run a Custom intervention (Java "
                        + "code) at '" + iv.hook() + "'; express it as data or use engine 'djl'");
            }
            if (iv instanceof Intervention.Extension e) {
                throw new LoupeException("engine '" + OnnxEngine.NAME + "' cannot run intervention kind '" + e.kind()
                        + "' (a plugin's Java code) at '" + iv.hook() + "'; use engine 'djl'");
            }
            if (iv instanceof Intervention.Splice s && s.function() instanceof SpliceFunction.Extension e) {
                throw new LoupeException("engine '" + OnnxEngine.NAME + "' cannot run splice function kind '"
                        + e.kind() + "' (a plugin's Java code) at '" + iv.hook() + "'; use engine 'djl'");
            }
            spec.requireHook(iv.hook());
            for (HookPoint source : iv.readsFrom().stream().toList()) {
                spec.requireHook(source);
                if (source.compareTo(iv.hook()) > 0) {
                    throw new LoupeException((iv instanceof Intervention.Splice ? "splice" : "clamp_feature")
                            + " into '" + iv.hook() + "': source '" + source + "' must fire earlier in the forward "
                            + "pass (or be the same hook, as an SAE's)");
                }
            }
        }
    }

    static void add(Feeds feeds, ModelSpec spec, List<Intervention> interventions, int batch, int length) {
        for (int i = 0; i < interventions.size(); i++) {
            Intervention iv = interventions.get(i);
            int[] hookShape = spec.shapeOf(iv.hook(), batch, length);
            feeds.booleans(input(i, "mask"), iv.positionMask(length), maskShape(iv.hook(), length));
            iv.parameter().ifPresent(p -> checkParameter(iv, p, hookShape));
            switch (iv) {
                case Intervention.AddVector a -> feeds.scalar(input(i, "scalar"), a.scale());
                case Intervention.Clamp c -> feeds.scalar(input(i, "scalar"), c.coefficient());
                case Intervention.Scale s -> feeds.scalar(input(i, "scalar"), s.factor());
                case Intervention.Splice s -> addSplice(feeds, i, s, spec.shapeOf(s.source(), batch, length), hookShape);
                case Intervention.ClampFeature c -> {
                    requireDictionary(c, spec.shapeOf(c.source(), batch, length), hookShape);
                    SparseMlpGraph.feedClamp(feeds, i, c.dictionary(), c.feature(), c.value());
                }
                default -> { }
            }
            int index = i;
            iv.parameter().ifPresent(p -> feeds.put(input(index, "param"), p));
        }
    }

    private static long[] maskShape(HookPoint hook, int length) {
        long[] shape = new long[InterventionGraph.rank(hook)];
        Arrays.fill(shape, 1);
        shape[hook.site().shape().positionAxis()] = length;
        return shape;
    }

    private static void checkParameter(Intervention iv, Tensor p, int[] hookShape) {
        if (iv instanceof Intervention.Replace) {
            boolean ok = Arrays.equals(hookShape, p.shape())
                    || Arrays.equals(Arrays.copyOfRange(hookShape, 1, hookShape.length), p.shape());
            if (!ok) {
                throw shapeError(iv, "value", p.shape(), Arrays.toString(hookShape) + " or without its batch axis");
            }
            return;
        }
        int posAxis = iv.hook().site().shape().positionAxis();
        int[] trailing = Arrays.copyOfRange(hookShape, posAxis + 1, hookShape.length);
        if (!Arrays.equals(trailing, p.shape())) {
            throw shapeError(iv, "vector", p.shape(), Arrays.toString(trailing)
                    + " (the activation's shape after the position axis)");
        }
    }

    private static void addSplice(Feeds feeds, int i, Intervention.Splice s, int[] sourceShape, int[] hookShape) {
        SpliceFunction f = s.function();
        int in = sourceShape[sourceShape.length - 1];
        int[] expectedOut = sourceShape.clone();
        expectedOut[expectedOut.length - 1] = f.dOut();
        if (f.dIn() != in || !Arrays.equals(expectedOut, hookShape)) {
            int[] from = sourceShape.clone();
            from[from.length - 1] = f.dIn();
            throw new LoupeException("splice into '" + s.hook() + "' from '" + s.source() + "': function maps "
                    + Arrays.toString(from) + " to " + Arrays.toString(expectedOut) + " but the source has shape "
                    + Arrays.toString(sourceShape) + " and the hook " + Arrays.toString(hookShape));
        }
        switch (f) {
            case SpliceFunction.SparseMlp t -> SparseMlpGraph.feed(feeds, i, t);
            case SpliceFunction.Affine a -> {
                feeds.put(input(i, "W"), a.w());
                feeds.put(input(i, "b"), a.b());
            }
            case SpliceFunction.Extension e -> throw new IllegalStateException("plugin kinds are refused earlier");
        }
    }

    private static void requireDictionary(Intervention.ClampFeature c, int[] sourceShape, int[] hookShape) {
        int in = sourceShape[sourceShape.length - 1];
        int out = hookShape[hookShape.length - 1];
        if (in != c.dictionary().dIn() || out != c.dictionary().dOut()) {
            throw new LoupeException("clamp_feature at '" + c.hook() + "' from '" + c.source() + "': the dictionary maps "
                    + c.dictionary().dIn() + " to " + c.dictionary().dOut() + " values but the source has " + in
                    + " and the hook " + out);
        }
    }

    private static LoupeException shapeError(Intervention iv, String what, int[] got, String expected) {
        return new LoupeException("intervention " + iv.getClass().getSimpleName() + " at '" + iv.hook() + "': "
                + what + " has shape " + Arrays.toString(got) + ", expected " + expected);
    }
}
