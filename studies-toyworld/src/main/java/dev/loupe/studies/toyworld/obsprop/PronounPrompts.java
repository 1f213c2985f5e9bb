package dev.loupe.studies.toyworld.obsprop;

import dev.loupe.api.Tokenizer;
import dev.loupe.eval.TaskEvaluator;
import dev.loupe.eval.toy.Pronouns;
import dev.loupe.eval.toy.TaskExample;
import dev.loupe.method.obsprop.Observable;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Prompts of the embedded model's pronoun task for ObsProp, and its two observables: subject ("she" − "he") and
 * object ("her" − "him"). Class 1 is the name class that takes "she"/"her".
 *
 * @param ids     BOS + the prompt's tokens (the name is at position 1)
 * @param label   1 for a "she"/"her" name, 0 otherwise
 * @param subject whether the answer is a subject pronoun
 */
public record PronounPrompts(int[] ids, String text, int label, boolean subject) {
    /** n prompts of one form (subject or object) from a split, half of each class in expectation. */
    public static List<PronounPrompts> sample(Tokenizer tok, int n, boolean heldOut, boolean subject, long seed) {
        Random rnd = new Random(seed);
        Pronouns task = new Pronouns();
        List<PronounPrompts> out = new ArrayList<>();
        while (out.size() < n) {
            TaskExample e = task.sample(rnd, heldOut);
            String answer = e.answers().iterator().next();
            boolean isSubject = answer.equals("she") || answer.equals("he");
            if (isSubject == subject) {
                int label = answer.equals("she") || answer.equals("her") ? 1 : 0;
                out.add(new PronounPrompts(TaskEvaluator.promptIds(tok, e.prompt()), e.prompt(), label, subject));
            }
        }
        return out;
    }

    public static Observable subjectObservable(Tokenizer tok) {
        return Observable.difference(TaskEvaluator.id(tok, "she"), TaskEvaluator.id(tok, "he"));
    }

    public static Observable objectObservable(Tokenizer tok) {
        return Observable.difference(TaskEvaluator.id(tok, "her"), TaskEvaluator.id(tok, "him"));
    }

    /** The ids of the first prompt of a class: the one-example-per-class input that linearises MLPs. */
    public static int[] first(List<PronounPrompts> prompts, int label) {
        return prompts.stream().filter(p -> p.label() == label).findFirst().orElseThrow().ids();
    }

    /** +1 for class 1, −1 for class 0: the sign the observable should take. */
    public double sign() {
        return label == 1 ? 1 : -1;
    }
}
