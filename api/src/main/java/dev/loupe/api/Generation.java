package dev.loupe.api;

import dev.loupe.api.generation.GenerationRequest;
import dev.loupe.api.generation.Generator;
import dev.loupe.api.intervention.Intervention;
import java.util.List;

/** Greedy decoding of one prompt, a shorthand for {@link Generator} (interventions at every step, KV cache used). */
public final class Generation {
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
}
