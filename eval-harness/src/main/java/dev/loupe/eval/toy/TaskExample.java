package dev.loupe.eval.toy;

import java.util.Set;

/**
 * One instance of a toy-world task.
 *
 * @param task       the task's name
 * @param prompt     text up to (not including) the answer
 * @param completion the continuation used for training (its first word is a valid answer)
 * @param answers    every valid first word of the answer
 * @param heldOut    whether the instance belongs to the held-out split (never trained on)
 */
public record TaskExample(String task, String prompt, String completion, Set<String> answers, boolean heldOut) {
    public TaskExample {
        answers = Set.copyOf(answers);
    }

    /** Prompt and completion as one training document. */
    public String text() {
        return prompt + " " + completion;
    }
}
