package dev.loupe.api;

import dev.loupe.api.intervention.Intervention;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Greedy decoding on any engine, with interventions applied at every step (e.g. a steering vector). */
public final class Generation {
    private Generation() {}

    /**
     * Appends up to {@code maxTokens} most likely tokens to {@code prompt}, stopping early at {@code stopToken}
     * (when ≥ 0) or at the model's context length. Returns only the generated tokens. Ids past the tokenizer's
     * vocabulary (the padding rows of an embedding rounded up, as in many checkpoints) are never chosen.
     */
    public static int[] greedy(Model model, int[] prompt, int maxTokens, List<Intervention> interventions, int stopToken) {
        int[] ids = prompt.clone();
        int choices = model.spec().dVocab();
        if (model.tokenizer() != Tokenizer.missing()) {
            choices = Math.min(choices, model.tokenizer().vocabSize());
        }
        int budget = Math.min(maxTokens, model.spec().nCtx() - prompt.length);
        for (int i = 0; i < budget; i++) {
            Tensor last = model.run(new RunRequest(List.of(ids), RunRequest.Padding.RIGHT, Set.of(), interventions,
                    RunRequest.LogitsMode.LAST)).logits();
            float[] logits = last.select(0).toArray();
            int next = 0;
            for (int v = 1; v < choices; v++) {
                if (logits[v] > logits[next]) {
                    next = v;
                }
            }
            ids = Arrays.copyOf(ids, ids.length + 1);
            ids[ids.length - 1] = next;
            if (next == stopToken) {
                break;
            }
        }
        return Arrays.copyOfRange(ids, prompt.length, ids.length);
    }
}
