package dev.loupe.engine.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.SpliceFunction;
import dev.loupe.api.training.SparseMlpTrainer;
import dev.loupe.api.training.SparseMlpTrainingConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link SparseMlpTrainer} in NDArray ops: autograd for the loss, Adam and the decoder-norm rules by hand. */
final class DjlSparseMlpTrainer implements SparseMlpTrainer {
    private static final List<String> NAMES = List.of("W_enc", "b_enc", "W_dec", "b_dec", "b_dec_out");
    private static final double EPSILON = 1e-8;

    private final NDManager manager;
    private final SparseMlpTrainingConfig config;
    private final NDArray[] params = new NDArray[5];
    private final NDArray[] first = new NDArray[5];
    private final NDArray[] second = new NDArray[5];
    private float[] sinceFired;
    private int steps;

    DjlSparseMlpTrainer(NDManager parent, SpliceFunction.SparseMlp initial, SparseMlpTrainingConfig config) {
        this.manager = parent.newSubManager();
        this.config = config;
        load(initial);
        for (int i = 0; i < params.length; i++) {
            first[i] = manager.zeros(params[i].getShape());
            second[i] = manager.zeros(params[i].getShape());
        }
        sinceFired = new float[initial.wEnc().size(1)];
        normaliseDecoder();
    }

    private void load(SpliceFunction.SparseMlp p) {
        if (!p.isPlainRelu()) {
            throw new LoupeException("sparse MLP training: the trainer fits a ReLU with no skip path and no input "
                    + "normalisation (got " + p.activation().getClass().getSimpleName() + ", W_skip "
                    + (p.wSkip() != null) + ", normalization " + p.normalization() + ")");
        }
        Tensor[] ts = {p.wEnc(), p.bEnc(), p.wDec(), p.bDec(), p.bDecOut()};
        for (int i = 0; i < ts.length; i++) {
            if (params[i] != null) {
                params[i].close();
            }
            params[i] = Arrays2.toNd(manager, ts[i]);
            params[i].setRequiresGradient(true);
        }
    }

    @Override
    public Step step(Tensor x, Tensor y) {
        checkBatch(x, y);
        synchronized (DjlModel.GRADIENT_LOCK) {
            float[] fired = new float[sinceFired.length];
            Backward b = backwardRecomputed(x, y, fired);
            if (Double.isFinite(b.step().loss()) && b.finite()) {
                update();
            }
            countFired(fired);
            zeroGradients();
            steps++;
            return b.step();
        }
    }

    @Override
    public Part part(Tensor x, Tensor y) {
        checkBatch(x, y);
        synchronized (DjlModel.GRADIENT_LOCK) {
            float[] fired = new float[sinceFired.length];
            Step s = backwardRecomputed(x, y, fired).step();
            List<Tensor> gradients = new ArrayList<>();
            for (NDArray p : params) {
                gradients.add(Arrays2.toTensor(p.getGradient()));
            }
            zeroGradients();
            return new Part(gradients, fired, x.size(0), s);
        }
    }

    @Override
    public Step apply(Part combined) {
        synchronized (DjlModel.GRADIENT_LOCK) {
            for (int i = 0; i < params.length; i++) {
                Tensor g = combined.gradients().get(i);
                if (!new Shape(java.util.Arrays.stream(g.shape()).asLongStream().toArray()).equals(params[i].getShape())) {
                    throw new LoupeException("data-parallel step: gradient " + NAMES.get(i) + " has shape "
                            + java.util.Arrays.toString(g.shape()) + ", the parameter " + params[i].getShape());
                }
                params[i].getGradient().set(java.nio.FloatBuffer.wrap(g.toArray()));
            }
            if (Double.isFinite(combined.losses().loss()) && gradientsFinite()) {
                update();
            }
            countFired(combined.fired());
            zeroGradients();
            steps++;
            return combined.losses();
        }
    }

    private void checkBatch(Tensor x, Tensor y) {
        if (x.rank() != 2 || y.rank() != 2 || x.size(0) != y.size(0) || x.size(1) != params[0].getShape().get(0)
                || y.size(1) != params[2].getShape().get(1)) {
            throw new LoupeException("sparse MLP batch: expected x [n, " + params[0].getShape().get(0) + "] and y [n, "
                    + params[2].getShape().get(1) + "], got " + java.util.Arrays.toString(x.shape()) + " and "
                    + java.util.Arrays.toString(y.shape()));
        }
    }

    /** Steps since each feature fired, after a step in which it fired on {@code fired[j]} rows. */
    private void countFired(float[] fired) {
        for (int j = 0; j < fired.length; j++) {
            sinceFired[j] = fired[j] > 0 ? 0 : sinceFired[j] + 1;
        }
    }

    private record Backward(Step step, boolean finite) {}

    /**
     * {@link #backward}, recomputed up to {@link DjlModel#RECOMPUTES} times while the loss is finite and a gradient
     * is not (a transient of the PyTorch CPU backward, as for {@link DjlModel#gradients}): what a whole step and a
     * data-parallel part both start from.
     */
    private Backward backwardRecomputed(Tensor x, Tensor y, float[] fired) {
        Step s = backward(x, y, fired);
        boolean finite = gradientsFinite();
        for (int retry = 0; retry < DjlModel.RECOMPUTES && Double.isFinite(s.loss()) && !finite; retry++) {
            zeroGradients();
            s = backward(x, y, fired);
            finite = gradientsFinite();
        }
        return new Backward(s, finite);
    }

    /** Loss and gradients of one batch; {@code fired} receives the rows each feature fired on. */
    private Step backward(Tensor xs, Tensor ys, float[] fired) {
        int dead = 0;
        boolean[] deadMask = new boolean[sinceFired.length];
        for (int j = 0; j < sinceFired.length; j++) {
            deadMask[j] = sinceFired[j] >= config.deadAfter();
            dead += deadMask[j] ? 1 : 0;
        }
        try (NDManager m = manager.newSubManager();
             GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray x = Arrays2.toNd(m, xs);
            NDArray y = Arrays2.toNd(m, ys);
            NDArray pre = x.sub(params[3]).matMul(params[0]).add(params[1]);
            NDArray z = pre.maximum(0f);
            NDArray out = z.matMul(params[2]).add(params[4]);
            NDArray mse = out.sub(y).square().sum(new int[] {1}).mean();
            NDArray l1 = z.abs().sum(new int[] {1}).mean();
            NDArray loss = mse.add(l1.mul(config.l1Coefficient()));
            NDArray ghost = m.zeros(new Shape());
            if (config.ghostGrads() && dead > 0) {
                ghost = ghostTerm(m, pre, y.sub(out).stopGradient(), deadMask, mse);
                loss = loss.add(ghost);
            }
            collector.backward(loss);
            float[] counts = z.gt(0f).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).sum(new int[] {0})
                    .toFloatArray();
            double l0 = 0;
            for (int j = 0; j < counts.length; j++) {
                l0 += counts[j];
                fired[j] = counts[j];
            }
            return new Step(Arrays2.scalar(mse), Arrays2.scalar(l1), Arrays2.scalar(ghost), Arrays2.scalar(loss),
                    l0 / xs.size(0), dead);
        }
    }

    /** SAELens ghost grads: dead features' exp(pre) decode, scaled to half the residual, fit to the residual. */
    private NDArray ghostTerm(NDManager m, NDArray pre, NDArray residual, boolean[] deadMask, NDArray mse) {
        NDArray mask = m.create(deadMask).broadcast(pre.getShape());
        NDArray acts = NDArrays.where(mask, pre.minimum(20f), m.full(new Shape(), Float.NEGATIVE_INFINITY)
                .broadcast(pre.getShape())).exp();
        NDArray ghostOut = acts.matMul(params[2]);
        NDArray residualNorm = residual.norm(new int[] {1}, true);
        NDArray ghostNorm = ghostOut.norm(new int[] {1}, true);
        NDArray scaled = ghostOut.mul(residualNorm.div(ghostNorm.mul(2).add(1e-6f)).stopGradient());
        NDArray ghostMse = scaled.sub(residual).square().sum(new int[] {1}).mean();
        return ghostMse.mul(mse.div(ghostMse.add(1e-6f)).stopGradient());
    }

    private boolean gradientsFinite() {
        return Arrays2.gradientsFinite(java.util.Arrays.asList(params));
    }

    private void zeroGradients() {
        for (NDArray p : params) {
            p.getGradient().set(new NDIndex("..."), 0f);
        }
    }

    /** Adam with warm-up; the decoder gradient's component along each (unit) row is removed first. */
    private void update() {
        try (NoGrad off = NoGrad.enter(); NDScope scope = new NDScope()) {
            NDArray wDec = params[2];
            NDArray gDec = wDec.getGradient();
            gDec.subi(wDec.mul(gDec.mul(wDec).sum(new int[] {1}, true)));
            int t = steps + 1;
            double lr = config.rateAt(steps);
            double c1 = 1 - Math.pow(config.beta1(), t);
            double c2 = 1 - Math.pow(config.beta2(), t);
            for (int i = 0; i < params.length; i++) {
                NDArray g = params[i].getGradient();
                first[i].muli(config.beta1()).addi(g.mul(1 - config.beta1()));
                second[i].muli(config.beta2()).addi(g.square().mul(1 - config.beta2()));
                NDArray step = first[i].div(c1).div(second[i].div(c2).sqrt().add(EPSILON)).mul(lr);
                params[i].subi(step);
            }
        }
        normaliseDecoder();
    }

    private void normaliseDecoder() {
        try (NoGrad off = NoGrad.enter(); NDScope scope = new NDScope()) {
            NDArray w = params[2];
            w.divi(w.norm(new int[] {1}, true).add(1e-12f));
        }
    }

    @Override
    public SpliceFunction.SparseMlp parameters() {
        Tensor[] t = new Tensor[5];
        for (int i = 0; i < 5; i++) {
            t[i] = Arrays2.toTensor(params[i]);
        }
        return new SpliceFunction.SparseMlp(t[0], t[1], t[2], t[3], t[4]);
    }

    @Override
    public Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            out.put("adam_m." + NAMES.get(i), Arrays2.toTensor(first[i]));
            out.put("adam_v." + NAMES.get(i), Arrays2.toTensor(second[i]));
        }
        out.put("steps_since_fired", Tensor.vector(sinceFired.clone()));
        out.put("step", Tensor.scalar(steps));
        return out;
    }

    @Override
    public void restore(SpliceFunction.SparseMlp parameters, Map<String, Tensor> state) {
        load(parameters);
        for (int i = 0; i < 5; i++) {
            first[i].close();
            second[i].close();
            first[i] = Arrays2.toNd(manager, required(state, "adam_m." + NAMES.get(i)));
            second[i] = Arrays2.toNd(manager, required(state, "adam_v." + NAMES.get(i)));
        }
        sinceFired = required(state, "steps_since_fired").toArray();
        steps = (int) required(state, "step").item();
    }

    private static Tensor required(Map<String, Tensor> state, String name) {
        Tensor t = state.get(name);
        if (t == null) {
            throw new LoupeException("sparse MLP trainer state: tensor '" + name + "' missing");
        }
        return t;
    }

    @Override
    public int steps() {
        return steps;
    }

    @Override
    public void close() {
        manager.close();
    }
}
