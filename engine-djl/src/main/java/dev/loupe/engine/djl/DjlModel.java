package dev.loupe.engine.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.loupe.api.Capability;
import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.Tokenizer;
import dev.loupe.api.Weights;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.intervention.SpliceFunction;
import dev.loupe.api.objective.GradientRequest;
import dev.loupe.api.objective.GradientResult;
import dev.loupe.api.spi.PaddedBatch;
import dev.loupe.api.training.Trainer;
import dev.loupe.api.training.TrainerConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** A model on DJL's PyTorch engine. Each run works in its own NDManager, closed before returning. */
final class DjlModel implements Model {
    /** PyTorch allows one gradient collector per process at a time. */
    static final Object GRADIENT_LOCK = new Object();
    /** How often a finite objective with a non-finite gradient is recomputed before it is returned as it is. */
    static final int RECOMPUTES = 2;
    private static final System.Logger LOG = System.getLogger(DjlModel.class.getName());

    private final ModelSpec spec;
    private final NDManager manager;
    private final TransformerWeights weights;
    private final Forward forward;
    private final Tokenizer tokenizer;
    private final Set<Capability> capabilities;

    DjlModel(ModelSpec spec, NDManager manager, TransformerWeights weights, Tokenizer tokenizer,
             Set<Capability> capabilities) {
        this.spec = spec;
        this.manager = manager;
        this.weights = weights;
        this.forward = new Forward(spec, weights);
        this.tokenizer = tokenizer == null ? Tokenizer.missing() : tokenizer;
        this.capabilities = capabilities;
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public Weights weights() {
        return weights;
    }

    @Override
    public String engineName() {
        return DjlEngine.NAME;
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public RunResult run(RunRequest request) {
        PaddedBatch batch = PaddedBatch.of(request, spec);
        try (NDManager m = manager.newSubManager()) {
            RunHooks hooks = new RunHooks(spec, m, request.interventions(), request.cache(), Set.of(), Set.of(), Set.of());
            NDArray logits = forward.run(m, batch, hooks, request.logits());
            return new RunResult(logits == null ? null : Arrays2.toTensor(logits), hooks.cacheTensors(), batch.lengths());
        }
    }

    @Override
    public dev.loupe.api.spi.DecodeSession decoder() {
        return new DjlDecodeSession(spec, manager, forward);
    }

    @Override
    public GradientResult gradients(GradientRequest request) {
        RunRequest run = request.run();
        for (Intervention iv : run.interventions()) {
            if (iv instanceof Intervention.Custom) {
                throw new LoupeException("a Custom intervention at '" + iv.hook() + "' blocks gradients; express it as data");
            }
            if (iv instanceof Intervention.Extension e) {
                throw new LoupeException("intervention kind '" + e.kind() + "' at '" + iv.hook() + "' is a plugin's "
                        + "Java code: gradients do not flow through it");
            }
            if (iv instanceof Intervention.Splice s && s.function() instanceof SpliceFunction.Extension e) {
                throw new LoupeException("splice function kind '" + e.kind() + "' at '" + iv.hook() + "' is a "
                        + "plugin's Java code: gradients do not flow through it");
            }
        }
        PaddedBatch batch = PaddedBatch.of(run, spec);
        synchronized (GRADIENT_LOCK) {
            GradientResult result = computeGradients(request, run, batch);
            for (int retry = 0; retry < RECOMPUTES && Double.isFinite(result.value()) && !finite(result); retry++) {
                LOG.log(System.Logger.Level.WARNING, "finite objective, non-finite gradient; recomputing (a transient "
                        + "of the PyTorch CPU backward, see docs/architecture.md)");
                result = computeGradients(request, run, batch);
            }
            return result;
        }
    }

    private GradientResult computeGradients(GradientRequest request, RunRequest run, PaddedBatch batch) {
        try (NDManager m = manager.newSubManager();
             GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            RunHooks hooks = new RunHooks(spec, m, run.interventions(), run.cache(), request.trainable(),
                    request.activationGradients(), Objectives.hooksRead(request.objective()));
            Frame frame = Frame.of(m, spec, batch);
            NDArray x = forward.finalResidual(m, frame, hooks, null);
            LogitRows rows = LogitRows.of(request.objective(), batch.size(), batch.length());
            NDArray objectiveLogits = rows.size() == 0 ? null
                    : forward.unembed(forward.rows(m, x, rows.flat())).reshape(1, rows.size(), -1);
            NDArray value = Objectives.evaluate(m, rows.remap(request.objective()), objectiveLogits, hooks);
            if (!request.trainable().isEmpty() || !request.activationGradients().isEmpty()) {
                collector.backward(value);
            }
            Map<Integer, Tensor> paramGrads = new HashMap<>();
            for (int i : request.trainable()) {
                paramGrads.put(i, Arrays2.toTensor(hooks.parameter(i).getGradient()));
            }
            Map<HookPoint, Tensor> actGrads = new HashMap<>();
            for (HookPoint h : request.activationGradients()) {
                NDArray probe = hooks.probe(h);
                if (probe == null) {
                    throw new LoupeException("hook '" + h + "' did not fire, so it has no gradient");
                }
                actGrads.put(h, Arrays2.toTensor(probe.getGradient()));
            }
            NDArray returned = forward.logits(m, x.stopGradient(), frame, run.logits());
            RunResult result = new RunResult(returned == null ? null : Arrays2.toTensor(returned), hooks.cacheTensors(),
                    batch.lengths());
            return new GradientResult(Arrays2.scalar(value), paramGrads, actGrads, result);
        }
    }

    private static boolean finite(GradientResult r) {
        return java.util.stream.Stream.concat(r.parameterGradients().values().stream(),
                r.activationGradients().values().stream()).allMatch(t -> allFinite(t.toArray()));
    }

    private static boolean allFinite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public dev.loupe.api.training.SparseMlpTrainer sparseMlpTrainer(
            dev.loupe.api.intervention.SpliceFunction.SparseMlp initial,
            dev.loupe.api.training.SparseMlpTrainingConfig config) {
        return new DjlSparseMlpTrainer(manager, initial, config);
    }

    @Override
    public Trainer trainer(TrainerConfig config) {
        return new DjlTrainer(spec, manager, weights, forward, config);
    }

    @Override
    public void close() {
        manager.close();
        tokenizer.close();
    }
}
