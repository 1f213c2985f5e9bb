package dev.loupe.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.spi.DecodeSession;
import dev.loupe.api.spi.PaddedBatch;
import java.util.List;
import java.util.Set;

/**
 * Generation with a KV cache on DJL: the left-padded prompts run once, keeping every layer's keys and values
 * ({@link KvCache}); each step runs the new tokens only, against the cached keys with their padding and
 * position ids (so rotary offsets, sliding windows and soft-caps are as in a full pass).
 */
final class DjlDecodeSession implements DecodeSession {
    private final ModelSpec spec;
    private final Forward forward;
    private final NDManager manager;
    private final KvCache kv;
    private boolean[] keyValid;
    private long[] keyPositions;
    private int keys;
    private int[] lengths;

    DjlDecodeSession(ModelSpec spec, NDManager parent, Forward forward) {
        this.spec = spec;
        this.forward = forward;
        this.manager = parent.newSubManager();
        this.kv = new KvCache(manager, spec.nLayers());
    }

    @Override
    public RunResult prefill(List<int[]> prompts, List<Intervention> interventions, Set<HookPoint> cache) {
        if (lengths != null) {
            throw new IllegalStateException("prefill runs once per session");
        }
        RunRequest request = new RunRequest(prompts, RunRequest.Padding.LEFT, cache, interventions,
                RunRequest.LogitsMode.LAST);
        PaddedBatch batch = PaddedBatch.of(request, spec);
        try (NDManager m = manager.newSubManager()) {
            RunHooks hooks = new RunHooks(spec, m, interventions, cache, Set.of(), Set.of(), Set.of());
            NDArray logits = forward.run(m, Frame.of(m, spec, batch), hooks, RunRequest.LogitsMode.LAST, kv);
            kv.commit();
            keyValid = batch.valid();
            keyPositions = batch.positions();
            keys = batch.length();
            lengths = batch.lengths();
            return new RunResult(Arrays2.toTensor(logits), hooks.cacheTensors(), lengths);
        }
    }

    @Override
    public RunResult step(int[] tokens, List<Intervention> interventions, Set<HookPoint> cache) {
        if (lengths == null) {
            throw new IllegalStateException("step before prefill");
        }
        int batch = lengths.length;
        if (tokens.length != batch) {
            throw new LoupeException("decoding step: " + tokens.length + " tokens for " + batch + " sequences");
        }
        if (keys + 1 > spec.nCtx()) {
            throw new LoupeException("decoding past the model's context of " + spec.nCtx() + " (n_ctx)");
        }
        int next = keys + 1;
        boolean[] valid = new boolean[batch * next];
        long[] positions = new long[batch * next];
        long[] ids = new long[batch];
        for (int b = 0; b < batch; b++) {
            if (tokens[b] < 0 || tokens[b] >= spec.dVocab()) {
                throw new LoupeException("token id " + tokens[b] + " at sequence " + b + " is out of range for a "
                        + "vocabulary of " + spec.dVocab());
            }
            System.arraycopy(keyValid, b * keys, valid, b * next, keys);
            System.arraycopy(keyPositions, b * keys, positions, b * next, keys);
            valid[b * next + keys] = true;
            positions[b * next + keys] = positions[b * next + keys - 1] + 1;
            ids[b] = tokens[b];
        }
        try (NDManager m = manager.newSubManager()) {
            RunHooks hooks = new RunHooks(spec, m, interventions, cache, Set.of(), Set.of(), Set.of());
            Frame frame = Frame.step(m, spec, ids, valid, positions, next);
            NDArray logits = forward.run(m, frame, hooks, RunRequest.LogitsMode.LAST, kv);
            kv.commit();
            keyValid = valid;
            keyPositions = positions;
            keys = next;
            for (int b = 0; b < batch; b++) {
                lengths[b]++;
            }
            return new RunResult(Arrays2.toTensor(logits), hooks.cacheTensors(), lengths);
        }
    }

    @Override
    public void close() {
        kv.close();
        manager.close();
    }
}
