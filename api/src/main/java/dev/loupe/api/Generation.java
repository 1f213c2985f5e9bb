package dev.loupe.api;

import dev.loupe.api.generation.GenerationRequest;
import dev.loupe.api.generation.GenerationResult;
import dev.loupe.api.generation.Generator;
import dev.loupe.api.intervention.Intervention;
import java.util.ArrayList;
import java.util.List;

/**
 * Greedy decoding, a shorthand for {@link Generator} (interventions at every step, KV cache used): one prompt, or
 * many in left-padded batches.
 */
public final class Generation {
    /** Prompts per left-padded batch in {@link #greedy(Model, List, int, List, int)}. */
    public static final int BATCH = 8;

    private Generation() {}

    /**
     * Appends up to {@code maxTokens} most likely tokens to {@code prompt}, stopping early at {@code stopToken}
     * (when ≥ 0) or at the model's context length. Returns only the generated tokens. Ids past the tokenizer's
     * vocabulary (the padding rows of an embedding rounded up, as in many checkpoints) are never chosen.
     * Intervention positions follow {@link Positions}'s rule for generation.
     */
    public static int[] greedy(Model model, int[] prompt, int maxTokens, List<Intervention> interventions, int stopToken) {
        if (maxTokens <= 0 || prompt.length >= model.spec().nCtx()) {
            return new int[0];
        }
        GenerationRequest request = GenerationRequest.builder(prompt).maxTokens(maxTokens).stopIds(stopToken)
                .interventions(interventions).build();
        return Generator.generate(model, request).completions().get(0).tokens();
    }

    /**
     * {@link #greedy(Model, int[], int, List, int)} of every prompt, in order, run {@value #BATCH} at a time as
     * left-padded batches (each sequence stops on its own). A batch ends where its longest prompt reaches the
     * context, so a prompt whose continuation could reach it runs alone: every continuation is the one its own call
     * gives.
     */
    public static List<int[]> greedy(Model model, List<int[]> prompts, int maxTokens, List<Intervention> interventions,
                                     int stopToken) {
        List<Integer> pending = new ArrayList<>();
        int[][] results = new int[prompts.size()][];
        for (int i = 0; i < prompts.size(); i++) {
            int[] p = prompts.get(i);
            if (maxTokens <= 0 || p.length + maxTokens > model.spec().nCtx()) {
                results[i] = greedy(model, p, maxTokens, interventions, stopToken);
            } else {
                pending.add(i);
            }
        }
        for (int start = 0; start < pending.size(); start += BATCH) {
            List<Integer> chunk = pending.subList(start, Math.min(pending.size(), start + BATCH));
            GenerationRequest request = GenerationRequest.builder(chunk.stream().map(prompts::get).toList())
                    .maxTokens(maxTokens).stopIds(stopToken).interventions(interventions).build();
            List<GenerationResult.Completion> done = Generator.generate(model, request).completions();
            for (int k = 0; k < chunk.size(); k++) {
                results[chunk.get(k)] = done.get(k).tokens();
            }
        }
        return List.of(results);
    }
}
