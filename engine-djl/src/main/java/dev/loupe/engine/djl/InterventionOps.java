package dev.loupe.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.intervention.SpliceFunction;
import java.util.Arrays;

/**
 * What each intervention kind does to an activation, in NDArray ops (differentiable in the intervention's tensor).
 * Positions become a boolean mask on the activation's position axis; unselected positions keep their exact value.
 */
final class InterventionOps {
    private InterventionOps() {}

    /**
     * @param parameter the intervention's tensor as an NDArray (possibly trainable), or null for kinds without one
     * @param source    the activation of the hook it {@linkplain Intervention#readsFrom reads}, if any
     */
    static NDArray apply(NDManager m, Intervention iv, NDArray x, NDArray parameter, NDArray source) {
        int posAxis = iv.hook().site().shape().positionAxis();
        NDArray mask = positionMask(m, iv, x, posAxis);
        return switch (iv) {
            case Intervention.AddVector a -> {
                requireTrailing(iv, "vector", parameter, x, posAxis);
                yield Arrays2.where(mask, x.add(parameter.mul(a.scale())), x);
            }
            case Intervention.DirectionalAblation d -> {
                requireTrailing(iv, "direction", parameter, x, posAxis);
                NDArray unit = parameter.div(parameter.norm());
                yield Arrays2.where(mask, x.sub(project(x, unit, posAxis).mul(unit)), x);
            }
            case Intervention.Clamp c -> {
                requireTrailing(iv, "vector", parameter, x, posAxis);
                NDArray coef = project(x, parameter, posAxis).div(parameter.square().sum());
                yield Arrays2.where(mask, x.sub(coef.mul(parameter)).add(parameter.mul(c.coefficient())), x);
            }
            case Intervention.Replace r -> {
                long[] full = x.getShape().getShape();
                long[] given = parameter.getShape().getShape();
                boolean ok = Arrays.equals(full, given)
                        || Arrays.equals(Arrays.copyOfRange(full, 1, full.length), given);
                if (!ok) {
                    throw shapeError(iv, "value", given, "[" + x.getShape() + "] or without its batch axis");
                }
                yield Arrays2.where(mask, parameter.broadcast(x.getShape()), x);
            }
            case Intervention.Scale s -> Arrays2.where(mask, x.mul(s.factor()), x);
            case Intervention.Zero z -> Arrays2.where(mask, x.zerosLike(), x);
            case Intervention.MeanAblate a -> {
                requireTrailing(iv, "mean", parameter, x, posAxis);
                yield Arrays2.where(mask, parameter.broadcast(x.getShape()), x);
            }
            case Intervention.Splice s -> Arrays2.where(mask, splice(m, s, source, x), x);
            case Intervention.ClampFeature c -> {
                requireDictionary(c, source, x);
                yield Arrays2.where(mask, x.add(SparseMlpOps.clampDelta(m, c.dictionary(), source, c.feature(),
                        c.value())), x);
            }
            case Intervention.Extension e -> {
                NDArray out = Arrays2.toNd(m, e.apply(Arrays2.toTensor(x)));
                if (!out.getShape().equals(x.getShape())) {
                    throw shapeError(iv, e.kind() + " result", out.getShape().getShape(), x.getShape().toString());
                }
                yield Arrays2.where(mask, out, x);
            }
            case Intervention.Custom c -> {
                NDArray out = Arrays2.toNd(m, c.function().apply(iv.hook(), Arrays2.toTensor(x)));
                if (!out.getShape().equals(x.getShape())) {
                    throw shapeError(iv, "custom function result", out.getShape().getShape(), x.getShape().toString());
                }
                yield out;
            }
        };
    }

    /** (x · v) summed over the axes after the position axis, keeping them for broadcasting. */
    private static NDArray project(NDArray x, NDArray v, int posAxis) {
        int[] axes = new int[x.getShape().dimension() - posAxis - 1];
        Arrays.setAll(axes, i -> posAxis + 1 + i);
        return x.mul(v).sum(axes, true);
    }

    private static NDArray splice(NDManager m, Intervention.Splice s, NDArray source, NDArray target) {
        NDArray out = switch (s.function()) {
            case SpliceFunction.SparseMlp t -> SparseMlpOps.forward(m, t, source);
            case SpliceFunction.Affine a -> source.matMul(Arrays2.toNd(m, a.w())).add(Arrays2.toNd(m, a.b()));
            case SpliceFunction.Extension e -> Arrays2.toNd(m, e.apply(Arrays2.toTensor(source)));
        };
        if (!out.getShape().equals(target.getShape())) {
            throw new LoupeException("splice into '" + s.hook() + "' from '" + s.source() + "': function maps "
                    + source.getShape() + " to " + out.getShape() + " but the hook has shape " + target.getShape());
        }
        return out;
    }

    private static void requireDictionary(Intervention.ClampFeature c, NDArray source, NDArray target) {
        long in = source.getShape().get(source.getShape().dimension() - 1);
        long out = target.getShape().get(target.getShape().dimension() - 1);
        if (in != c.dictionary().dIn() || out != c.dictionary().dOut()) {
            throw new LoupeException("clamp_feature at '" + c.hook() + "' from '" + c.source() + "': the dictionary maps "
                    + c.dictionary().dIn() + " to " + c.dictionary().dOut() + " values but the source has " + in
                    + " and the hook " + out);
        }
    }

    private static NDArray positionMask(NDManager m, Intervention iv, NDArray x, int posAxis) {
        long[] shape = x.getShape().getShape();
        int length = (int) shape[posAxis];
        boolean[] selected = iv.positionMask(length);
        long[] maskShape = new long[shape.length];
        Arrays.fill(maskShape, 1);
        maskShape[posAxis] = length;
        return m.create(selected, new ai.djl.ndarray.types.Shape(maskShape));
    }

    private static void requireTrailing(Intervention iv, String what, NDArray v, NDArray x, int posAxis) {
        long[] full = x.getShape().getShape();
        long[] trailing = Arrays.copyOfRange(full, posAxis + 1, full.length);
        if (!Arrays.equals(trailing, v.getShape().getShape())) {
            throw shapeError(iv, what, v.getShape().getShape(), Arrays.toString(trailing)
                    + " (the activation's shape after the position axis)");
        }
    }

    private static LoupeException shapeError(Intervention iv, String what, long[] got, String expected) {
        return new LoupeException("intervention " + iv.getClass().getSimpleName() + " at '" + iv.hook() + "': "
                + what + " has shape " + Arrays.toString(got) + ", expected " + expected);
    }

    static HookPoint sourceOf(Intervention iv) {
        return iv.readsFrom().orElse(null);
    }
}
