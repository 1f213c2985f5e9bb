package dev.loupe.api.generation;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Generation without a KV cache: every step reruns the whole left-padded batch (the reference). */
final class FullSteps implements Steps {
    private final Model model;
    private final GenerationRequest request;
    private final List<int[]> sequences;
    private Map<HookPoint, Tensor> cached = Map.of();
    private int added;

    FullSteps(Model model, GenerationRequest request) {
        this.model = model;
        this.request = request;
        this.sequences = new ArrayList<>(request.prompts());
    }

    @Override
    public Tensor first() {
        added = request.promptLength();
        return run();
    }

    @Override
    public Tensor next(int[] tokens) {
        append(tokens);
        added = 1;
        return run();
    }

    /** The last run's cache, cut to its last {@code added} query positions (the rerun reruns them all). */
    @Override
    public Map<HookPoint, Tensor> added() {
        Map<HookPoint, Tensor> out = new LinkedHashMap<>();
        cached.forEach((hook, t) -> {
            int axis = hook.site().shape().positionAxis();
            out.put(hook, t.slice(axis, t.size(axis) - added, t.size(axis)));
        });
        return out;
    }

    @Override
    public Map<HookPoint, Tensor> trajectory() {
        return cached;
    }

    private Tensor run() {
        dev.loupe.api.RunResult r = run(request.cache(), RunRequest.LogitsMode.LAST);
        cached = r.cache();
        return r.logits();
    }

    private void append(int[] tokens) {
        for (int i = 0; i < sequences.size(); i++) {
            sequences.set(i, Generator.concat(sequences.get(i), new int[] {tokens[i]}));
        }
    }

    private dev.loupe.api.RunResult run(Set<HookPoint> cache, RunRequest.LogitsMode logits) {
        int length = request.promptLength() + sequences.get(0).length - request.prompts().get(0).length;
        return model.run(new RunRequest(sequences, RunRequest.Padding.LEFT, cache,
                Steps.at(request.interventions(), request.promptLength(), 0, length), logits));
    }

    @Override
    public void close() {}
}
