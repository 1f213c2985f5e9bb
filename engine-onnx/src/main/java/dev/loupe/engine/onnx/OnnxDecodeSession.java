package dev.loupe.engine.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.loupe.api.HookPoint;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.spi.DecodeKeys;
import dev.loupe.api.spi.DecodeSession;
import dev.loupe.api.spi.PaddedBatch;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Generation with a KV cache on ONNX Runtime: a prefill graph outputs every layer's keys and values, a step graph
 * takes them back as inputs with the new position's appended. The cached tensors stay in ONNX Runtime's memory:
 * one call's outputs are the next call's inputs, never copied to Java.
 */
final class OnnxDecodeSession implements DecodeSession {
    private final OnnxModel model;
    private final OrtEnvironment env;
    private final ModelSpec spec;
    private OrtSession.Result state;
    private DecodeKeys keys;

    OnnxDecodeSession(OnnxModel model, OrtEnvironment env) {
        this.model = model;
        this.env = env;
        this.spec = model.spec();
    }

    @Override
    public RunResult prefill(List<int[]> prompts, List<Intervention> interventions, Set<HookPoint> cache) {
        if (keys != null) {
            throw new IllegalStateException("prefill runs once per session");
        }
        RunRequest request = new RunRequest(prompts, RunRequest.Padding.LEFT, cache, interventions,
                RunRequest.LogitsMode.LAST);
        PaddedBatch batch = PaddedBatch.of(request, spec);
        try (Feeds feeds = new Feeds(env)) {
            OnnxModel.feed(feeds, batch, RunRequest.LogitsMode.LAST);
            InterventionFeeds.add(feeds, spec, interventions, batch.size(), batch.length());
            RunResult r = run(TransformerGraph.Kv.PRESENT, feeds, Map.of(), interventions, cache, batch.lengths());
            keys = DecodeKeys.of(batch);
            return r;
        }
    }

    @Override
    public RunResult step(int[] tokens, List<Intervention> interventions, Set<HookPoint> cache) {
        if (keys == null) {
            throw new IllegalStateException("step before prefill");
        }
        DecodeKeys next = keys.append(tokens, spec);
        int batch = next.size();
        long[] ids = java.util.Arrays.stream(tokens).asLongStream().toArray();
        long[] rows = new long[batch];
        java.util.Arrays.setAll(rows, b -> b);
        Map<String, OnnxTensor> past = new HashMap<>();
        for (int l = 0; l < spec.nLayers(); l++) {
            for (String kv : List.of("k", "v")) {
                past.put(TransformerGraph.Kv.past(l, kv), (OnnxTensor) state.get(TransformerGraph.Kv.present(l, kv))
                        .orElseThrow());
            }
        }
        try (Feeds feeds = new Feeds(env)) {
            feeds.longs(TransformerGraph.INPUT_IDS, ids, batch, 1);
            feeds.longs(TransformerGraph.POSITION_IDS, next.lastPositions(), batch, 1);
            feeds.longs(TransformerGraph.KEY_POSITIONS, next.positions(), batch, next.length());
            feeds.booleans(TransformerGraph.ALLOWED, next.valid(), batch, 1, 1, next.length());
            feeds.longs(TransformerGraph.LAST_ROWS, rows, batch);
            InterventionFeeds.add(feeds, spec, interventions, batch, 1);
            RunResult r = run(TransformerGraph.Kv.STEP, feeds, past, interventions, cache, next.lengths());
            keys = next;
            return r;
        }
    }

    /** Runs one call; its keys and values become the state, the previous state's are released. */
    private RunResult run(TransformerGraph.Kv kv, Feeds feeds, Map<String, OnnxTensor> past,
                          List<Intervention> interventions, Set<HookPoint> cache, int[] lengths) {
        cache.forEach(spec::requireHook);
        InterventionFeeds.requireRunnable(spec, interventions);
        Set<String> outputs = new LinkedHashSet<>();
        outputs.add(TransformerGraph.LOGITS);
        cache.stream().sorted().forEach(h -> outputs.add(h.name()));
        for (int l = 0; l < spec.nLayers(); l++) {
            outputs.add(TransformerGraph.Kv.present(l, "k"));
            outputs.add(TransformerGraph.Kv.present(l, "v"));
        }
        OrtSession session = model.session(interventions, RunRequest.LogitsMode.LAST, outputs, kv);
        Map<String, OnnxTensor> inputs = new HashMap<>(feeds.asMap());
        inputs.putAll(past);
        OrtSession.Result result;
        try {
            result = session.run(inputs, outputs);
        } catch (OrtException e) {
            throw OnnxModel.failed(e);
        }
        Map<HookPoint, Tensor> activations = new HashMap<>();
        for (HookPoint h : cache) {
            activations.put(h, OnnxModel.tensor(result, h.name()));
        }
        Tensor logits = OnnxModel.tensor(result, TransformerGraph.LOGITS);
        close();
        state = result;
        return new RunResult(logits, activations, lengths.clone());
    }

    @Override
    public void close() {
        if (state != null) {
            state.close();
            state = null;
        }
    }
}
