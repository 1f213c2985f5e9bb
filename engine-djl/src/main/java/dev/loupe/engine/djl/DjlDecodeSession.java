package dev.loupe.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.api.HookPoint;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.spi.DecodeKeys;
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
    private DecodeKeys keys;

    DjlDecodeSession(ModelSpec spec, NDManager parent, Forward forward) {
        this.spec = spec;
        this.forward = forward;
        this.manager = parent.newSubManager();
        this.kv = new KvCache(manager, spec.nLayers());
    }

    @Override
    public RunResult prefill(List<int[]> prompts, List<Intervention> interventions, Set<HookPoint> cache) {
        if (keys != null) {
            throw new IllegalStateException("prefill runs once per session");
        }
        RunRequest request = new RunRequest(prompts, RunRequest.Padding.LEFT, cache, interventions,
                RunRequest.LogitsMode.LAST);
        PaddedBatch batch = PaddedBatch.of(request, spec);
        try (NDManager m = manager.newSubManager()) {
            RunHooks hooks = new RunHooks(spec, m, interventions, cache, Set.of(), Set.of(), Set.of());
            NDArray logits = forward.run(m, Frame.of(m, spec, batch), hooks, RunRequest.LogitsMode.LAST, kv);
            kv.commit();
            keys = DecodeKeys.of(batch);
            return new RunResult(Arrays2.toTensor(logits), hooks.cacheTensors(), keys.lengths());
        }
    }

    @Override
    public RunResult step(int[] tokens, List<Intervention> interventions, Set<HookPoint> cache) {
        if (keys == null) {
            throw new IllegalStateException("step before prefill");
        }
        DecodeKeys next = keys.append(tokens, spec);
        long[] ids = java.util.Arrays.stream(tokens).asLongStream().toArray();
        try (NDManager m = manager.newSubManager()) {
            RunHooks hooks = new RunHooks(spec, m, interventions, cache, Set.of(), Set.of(), Set.of());
            NDArray logits = forward.run(m, Frame.step(m, spec, ids, next), hooks, RunRequest.LogitsMode.LAST, kv);
            kv.commit();
            keys = next;
            return new RunResult(Arrays2.toTensor(logits), hooks.cacheTensors(), next.lengths());
        }
    }

    @Override
    public void close() {
        kv.close();
        manager.close();
    }
}
