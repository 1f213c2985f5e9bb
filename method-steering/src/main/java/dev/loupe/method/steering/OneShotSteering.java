package dev.loupe.method.steering;

import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.objective.GradientRequest;
import dev.loupe.api.objective.GradientResult;
import dev.loupe.api.spi.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Optimises a steering vector by gradient descent on a handful of datapoints (typically one), as in Dunefsky et al.
 * (COLM 2025): Adam on v only, v₀ = r·g/‖g‖ with g ~ N(0, I), after each step v ← maxNorm·v/‖v‖ when ‖v‖ > maxNorm.
 * It stops after {@code maxIterations}, when the loss has been ≤ the target for {@code targetPatience} iterations
 * in a row, or when the loss changes by less than 1e-6. Unlike the original, which returns the vector one step
 * past the one that met the target, it returns the vector whose loss met the target (or the best one seen).
 */
public final class OneShotSteering {
    static final double PLATEAU = 1e-6;

    /** Why the optimisation stopped. */
    public enum Stop { TARGET_REACHED, PLATEAU, MAX_ITERATIONS }

    /**
     * The outcome.
     *
     * @param vector     the returned vector
     * @param loss       its loss
     * @param iterations losses evaluated
     * @param stop       why it stopped
     * @param history    loss at each iteration
     */
    public record Result(Tensor vector, double loss, int iterations, Stop stop, List<Double> history) {}

    private OneShotSteering() {}

    public static Result optimize(Model model, List<Datapoint> data, SteeringConfig c, Progress progress) {
        int d = model.spec().dModel();
        float[] v = start(d, c.startingNorm(), c.seed());
        double[] m = new double[d];
        double[] s = new double[d];
        List<Double> history = new ArrayList<>();
        float[] best = v.clone();
        double bestLoss = Double.POSITIVE_INFINITY;
        int streak = 0;
        for (int it = 0; it < c.maxIterations(); it++) {
            float[] grad = new float[d];
            double[] losses = completionLosses(model, data, c, Tensor.vector(v), grad);
            double loss = java.util.Arrays.stream(losses).sum();
            history.add(loss);
            progress.update("steer", it + 1, c.maxIterations(), String.format("loss %.4f", loss));
            if (loss < bestLoss) {
                bestLoss = loss;
                best = v.clone();
            }
            boolean met = c.perCompletionTarget()
                    ? java.util.Arrays.stream(losses).allMatch(x -> x <= c.targetLoss()) : loss <= c.targetLoss();
            if (c.targetLoss() > 0 && met) {
                if (++streak >= c.targetPatience()) {
                    return new Result(Tensor.vector(v), loss, it + 1, Stop.TARGET_REACHED, history);
                }
            } else {
                streak = 0;
            }
            if (it > 0 && Math.abs(loss - history.get(it - 1)) < PLATEAU) {
                return new Result(Tensor.vector(v), loss, it + 1, Stop.PLATEAU, history);
            }
            if (!finite(grad)) {
                continue;
            }
            adamStep(v, grad, m, s, it + 1, c.learningRate());
            projectToMaxNorm(v, c.maxNorm());
        }
        return new Result(Tensor.vector(best), bestLoss, history.size(), Stop.MAX_ITERATIONS, history);
    }

    private static boolean finite(float[] values) {
        for (float x : values) {
            if (!Float.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    /** Σ over datapoints and completions of the steering loss at v; {@code grad} receives d loss / d v. */
    public static double lossAndGradient(Model model, List<Datapoint> data, SteeringConfig c, Tensor v, float[] grad) {
        return java.util.Arrays.stream(completionLosses(model, data, c, v, grad)).sum();
    }

    /**
     * The loss of every completion (datapoints in order, promoted before suppressed) at v; {@code grad} receives
     * d(Σ losses)/d v.
     */
    public static double[] completionLosses(Model model, List<Datapoint> data, SteeringConfig c, Tensor v, float[] grad) {
        List<Double> losses = new ArrayList<>();
        for (Datapoint dp : data) {
            for (Datapoint single : SteeringLosses.perCompletion(dp)) {
                RunRequest run = new RunRequest(SteeringLosses.sequences(single), RunRequest.Padding.RIGHT, Set.of(),
                        List.of(c.placement().intervention(v, dp.negative(), dp.prompt().length)), RunRequest.LogitsMode.NONE);
                GradientResult r = model.gradients(new GradientRequest(run,
                        SteeringLosses.negatedLoss(single, c.coldness(), c.normaliseByLength()), Set.of(0), Set.of()));
                losses.add(-r.value());
                float[] g = r.parameterGradients().get(0).toArray();
                for (int i = 0; i < grad.length; i++) {
                    grad[i] -= g[i];
                }
            }
        }
        return losses.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** A Gaussian random vector with v's norm: the control that any vector of that size would do the same. */
    public static Tensor randomOfSameNorm(Tensor v, long seed) {
        java.util.Random rnd = new java.util.Random(seed + 7);
        float[] x = new float[v.numel()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        Tensor t = Tensor.vector(x);
        return t.scale((float) (v.norm() / t.norm()));
    }

    static float[] start(int d, double norm, long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[d];
        double sq = 0;
        for (int i = 0; i < d; i++) {
            v[i] = (float) rnd.nextGaussian();
            sq += (double) v[i] * v[i];
        }
        double scale = norm / Math.sqrt(sq);
        for (int i = 0; i < d; i++) {
            v[i] *= (float) scale;
        }
        return v;
    }

    /** Adam (β₁ 0.9, β₂ 0.999, ε 1e-8) with bias correction, minimising. */
    static void adamStep(float[] v, float[] grad, double[] m, double[] s, int t, double lr) {
        double c1 = 1 - Math.pow(0.9, t);
        double c2 = 1 - Math.pow(0.999, t);
        for (int i = 0; i < v.length; i++) {
            m[i] = 0.9 * m[i] + 0.1 * grad[i];
            s[i] = 0.999 * s[i] + 0.001 * grad[i] * grad[i];
            v[i] -= (float) (lr * (m[i] / c1) / (Math.sqrt(s[i] / c2) + 1e-8));
        }
    }

    /** v ← maxNorm · v/‖v‖ when ‖v‖ > maxNorm (maxNorm 0: no limit). */
    static void projectToMaxNorm(float[] v, double maxNorm) {
        if (maxNorm <= 0) {
            return;
        }
        double sq = 0;
        for (float x : v) {
            sq += (double) x * x;
        }
        double norm = Math.sqrt(sq);
        if (norm > maxNorm) {
            for (int i = 0; i < v.length; i++) {
                v[i] *= (float) (maxNorm / norm);
            }
        }
    }
}
