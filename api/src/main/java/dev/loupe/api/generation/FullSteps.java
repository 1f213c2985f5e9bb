package dev.loupe.api.generation;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Generation without a KV cache: every step reruns the whole left-padded batch (the reference). */
final class FullSteps implements Steps {
    private final Model model;
    private final GenerationRequest request;
    private final List<int[]> sequences;

    FullSteps(Model model, GenerationRequest request) {
        this.model = model;
        this.request = request;
        this.sequences = new ArrayList<>(request.prompts());
    }

    @Override
    public Tensor first() {
        return run(Set.of(), RunRequest.LogitsMode.LAST).logits();
    }

    @Override
    public Tensor next(int[] tokens) {
        append(tokens);
        return run(Set.of(), RunRequest.LogitsMode.LAST).logits();
    }

    @Override
    public Map<HookPoint, Tensor> trajectory(int[] last) {
        append(last);
        return run(request.cache(), RunRequest.LogitsMode.NONE).cache();
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
