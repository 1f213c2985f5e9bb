package dev.loupe.engine.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.RunRequest;
import dev.loupe.api.spi.PaddedBatch;
import dev.loupe.api.training.Trainer;
import dev.loupe.api.training.TrainerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Next-token training of a {@link DjlModel}'s weights: mean cross-entropy over every predicted position, AdamW
 * with the config's schedule and clipping, updates applied in place outside grad mode. Optimizer state lives
 * beside the weights in the model's manager.
 */
final class DjlTrainer implements Trainer {
    private static final System.Logger LOG = System.getLogger(DjlTrainer.class.getName());

    private final ModelSpec spec;
    private final NDManager manager;
    private final Forward forward;
    private final TrainerConfig config;
    private final List<NDArray> params;
    private final List<NDArray> firstMoments = new ArrayList<>();
    private final List<NDArray> secondMoments = new ArrayList<>();
    private int steps;
    private int skipped;

    DjlTrainer(ModelSpec spec, NDManager manager, TransformerWeights weights, Forward forward, TrainerConfig config) {
        this.spec = spec;
        this.manager = manager;
        this.forward = forward;
        this.config = config;
        this.params = new ArrayList<>(weights.arrays());
        for (NDArray p : params) {
            p.setRequiresGradient(true);
            firstMoments.add(manager.zeros(p.getShape()));
            secondMoments.add(manager.zeros(p.getShape()));
        }
    }

    @Override
    public double step(List<int[]> batch) {
        double loss;
        synchronized (DjlModel.GRADIENT_LOCK) {
            loss = backward(batch);
            double norm = Arrays2.gradientNorm(params);
            for (int retry = 0; retry < DjlModel.RECOMPUTES && Double.isFinite(loss) && !Double.isFinite(norm); retry++) {
                LOG.log(System.Logger.Level.WARNING, "training step " + (steps + 1) + ": finite loss, non-finite "
                        + "gradient; recomputing the batch (a transient of the PyTorch CPU backward, see docs/architecture.md)");
                params.forEach(p -> p.getGradient().set(new NDIndex("..."), 0f));
                loss = backward(batch);
                norm = Arrays2.gradientNorm(params);
            }
            update(Double.isFinite(loss), norm);
        }
        steps++;
        return loss;
    }

    private double backward(List<int[]> batch) {
        try (NDManager m = manager.newSubManager();
             GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray value = crossEntropy(m, batch);
            collector.backward(value);
            return Arrays2.scalar(value);
        }
    }

    @Override
    public int skippedSteps() {
        return skipped;
    }

    @Override
    public double loss(List<int[]> batch) {
        try (NDManager m = manager.newSubManager()) {
            return Arrays2.scalar(crossEntropy(m, batch));
        }
    }

    private NDArray crossEntropy(NDManager m, List<int[]> batch) {
        int length = batch.get(0).length;
        for (int[] s : batch) {
            if (s.length != length || length < 2) {
                throw new LoupeException("a training batch needs sequences of one length >= 2, got " + s.length
                        + " and " + length);
            }
        }
        RunRequest request = new RunRequest(batch, RunRequest.Padding.RIGHT, Set.of(), List.of(),
                RunRequest.LogitsMode.ALL);
        RunHooks hooks = new RunHooks(spec, m, List.of(), Set.of(), Set.of(), Set.of(), Set.of());
        NDArray logits = forward.run(m, PaddedBatch.of(request, spec), hooks, RunRequest.LogitsMode.ALL);
        long[] next = new long[batch.size() * (length - 1)];
        for (int b = 0; b < batch.size(); b++) {
            for (int t = 1; t < length; t++) {
                next[b * (length - 1) + t - 1] = batch.get(b)[t];
            }
        }
        NDArray targets = m.create(next, new Shape(batch.size(), length - 1, 1));
        NDArray logp = logits.get(new NDIndex(":, :-1, :")).logSoftmax(-1);
        return logp.gather(targets, 2).mean().neg();
    }

    /** One AdamW update, unless the loss or the gradient (of norm {@code norm}) is not finite: then it is skipped. */
    private void update(boolean finiteLoss, double norm) {
        try (NoGrad off = NoGrad.enter(); NDScope scope = new NDScope()) {
            if (!finiteLoss || !Double.isFinite(norm)) {
                skipped++;
                LOG.log(System.Logger.Level.WARNING, "training step " + (steps + 1) + " skipped: loss "
                        + (finiteLoss ? "finite" : "not finite") + ", gradient norm " + norm);
                params.forEach(p -> p.getGradient().set(new NDIndex("..."), 0f));
                return;
            }
            double clip = config.gradientClip() > 0 && norm > config.gradientClip() ? config.gradientClip() / norm : 1;
            int t = steps + 1;
            double lr = config.rateAt(steps);
            double b1 = config.beta1();
            double b2 = config.beta2();
            double correction1 = 1 - Math.pow(b1, t);
            double correction2 = 1 - Math.pow(b2, t);
            for (int i = 0; i < params.size(); i++) {
                NDArray p = params.get(i);
                NDArray g = p.getGradient();
                NDArray grad = g.mul(clip);
                firstMoments.get(i).muli(b1).addi(grad.mul(1 - b1));
                secondMoments.get(i).muli(b2).addi(grad.square().mul(1 - b2));
                NDArray step = firstMoments.get(i).div(correction1)
                        .div(secondMoments.get(i).div(correction2).sqrt().add(config.epsilon()));
                if (config.weightDecay() > 0 && p.getShape().dimension() >= 2) {
                    step = step.add(p.mul(config.weightDecay()));
                }
                p.subi(step.mul(lr));
                g.set(new NDIndex("..."), 0f);
            }
            scope.suppressNotUsedWarning();
        }
    }

    @Override
    public int steps() {
        return steps;
    }

    @Override
    public void close() {
        for (NDArray p : params) {
            p.setRequiresGradient(false);
        }
        firstMoments.forEach(NDArray::close);
        secondMoments.forEach(NDArray::close);
    }
}
