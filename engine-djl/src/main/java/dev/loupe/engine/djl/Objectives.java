package dev.loupe.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import dev.loupe.api.objective.Objective;
import dev.loupe.api.objective.TokenTargets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/** Objectives as differentiable NDArray scalars over one forward pass. */
final class Objectives {
    private Objectives() {}

    static NDArray evaluate(NDManager m, Objective o, NDArray logits, RunHooks hooks) {
        return switch (o) {
            case Objective.TokenLogProb p -> targetLogProbs(m, logits, p.targets(), p.coldness()).sum();
            case Objective.TokenLogOneMinusProb p -> {
                NDArray logp = targetLogProbs(m, logits, p.targets(), p.coldness());
                yield logp.exp().neg().add(1).maximum(Float.MIN_NORMAL).log().sum();
            }
            case Objective.LogitDifference d -> {
                checkIndex(logits, d.sequence(), d.position());
                NDArray row = logits.get(new NDIndex("{}, {}", d.sequence(), d.position()));
                yield row.get(d.tokenA()).sub(row.get(d.tokenB()));
            }
            case Objective.HookDot h -> {
                NDArray act = hooks.saved(h.hook());
                NDArray at = act.get(new NDIndex("{}, {}", h.sequence(), h.position()));
                NDArray v = Arrays2.toNd(m, h.vector());
                if (!at.getShape().equals(v.getShape())) {
                    throw new LoupeException("objective hook_dot at '" + h.hook() + "': vector has shape "
                            + v.getShape() + ", expected " + at.getShape());
                }
                yield at.mul(v).sum();
            }
            case Objective.Extension e -> extension(m, e, logits);
            case Objective.WeightedSum s -> {
                NDArray total = m.zeros(new ai.djl.ndarray.types.Shape());
                for (Objective.Term t : s.terms()) {
                    total = total.add(evaluate(m, t.objective(), logits, hooks).mul(t.weight()));
                }
                yield total;
            }
        };
    }

    /**
     * A plugin's objective: its value, with its gradient attached to the rows it read, as v + Σ rows · g − stop(Σ
     * rows · g), which is v and whose derivative with respect to the rows is g.
     */
    private static NDArray extension(NDManager m, Objective.Extension e, NDArray logits) {
        long[] at = e.rows().stream().mapToLong(Objective.LogitRow::position).toArray();
        NDArray rows = logits.get(0).get(new NDIndex("{}", m.create(at)));
        Tensor seen = Arrays2.toTensor(rows);
        double value = e.value(seen);
        Tensor g = e.gradient(seen);
        if (g == null || !Arrays.equals(g.shape(), seen.shape())) {
            throw new LoupeException("objective kind '" + e.kind() + "': gradient has shape "
                    + (g == null ? "null" : Arrays.toString(g.shape())) + ", expected the logits' "
                    + Arrays.toString(seen.shape()));
        }
        if (!Double.isFinite(value)) {
            throw new LoupeException("objective kind '" + e.kind() + "' has value " + value + " (expected finite)");
        }
        NDArray linear = rows.mul(Arrays2.toNd(m, g)).sum();
        return linear.sub(linear.stopGradient()).add((float) value);
    }

    /** log softmax(coldness · logits)[target] at each (position, target) pair: shape [n]. */
    private static NDArray targetLogProbs(NDManager m, NDArray logits, TokenTargets targetsOf, double coldness) {
        int seq = targetsOf.sequence();
        int[] positions = targetsOf.positions();
        int[] targets = targetsOf.tokens();
        long[] pos = new long[positions.length];
        for (int i = 0; i < pos.length; i++) {
            checkIndex(logits, seq, positions[i]);
            pos[i] = positions[i];
        }
        int vocab = (int) logits.getShape().get(2);
        NDArray rows = logits.get(seq).get(new NDIndex("{}", m.create(pos)));
        NDArray logp = rows.mul(coldness).logSoftmax(-1);
        for (int t : targets) {
            if (t < 0 || t >= vocab) {
                throw new LoupeException("objective target token " + t + " is out of range for a vocabulary of " + vocab);
            }
        }
        return logp.mul(m.create(targets).oneHot(vocab)).sum(new int[] {-1});
    }

    private static void checkIndex(NDArray logits, int seq, int pos) {
        long b = logits.getShape().get(0);
        long t = logits.getShape().get(1);
        if (seq < 0 || seq >= b || pos < 0 || pos >= t) {
            throw new LoupeException("objective position (sequence " + seq + ", position " + pos
                    + ") is outside the batch [" + b + " sequences × " + t + " positions]");
        }
    }

    /** Hook points whose activations the objective reads. */
    static Set<HookPoint> hooksRead(Objective o) {
        Set<HookPoint> out = new HashSet<>();
        if (o instanceof Objective.HookDot h) {
            out.add(h.hook());
        } else if (o instanceof Objective.WeightedSum s) {
            s.terms().forEach(t -> out.addAll(hooksRead(t.objective())));
        }
        return out;
    }
}
