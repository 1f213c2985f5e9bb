package dev.loupe.eval.toy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Names of two classes → subject ("she"/"he") or object ("her"/"him") pronoun, with occupations biased towards
 * one class (ObsProp's setting: the occupation is a confound, the name decides).
 */
public final class Pronouns implements ToyTask {
    static final List<String> CLASS_A = List.of("Mary", "Anna", "Emma", "Julia", "Sarah", "Laura", "Alice", "Grace",
            "Helen", "Lucy", "Clara", "Nora", "Ruth", "Ella", "Rose", "Jane");
    static final List<String> CLASS_B = List.of("John", "James", "Peter", "David", "Mark", "Paul", "Tom", "Henry",
            "Jack", "Frank", "George", "Louis", "Carl", "Simon", "Adam", "Oscar");
    static final List<String> BIASED_A = List.of("nurse", "dancer", "teacher", "librarian");
    static final List<String> BIASED_B = List.of("pilot", "builder", "farmer", "mechanic");
    static final List<String> NEUTRAL = List.of("doctor", "writer", "painter", "lawyer");
    static final List<String> INTROS = List.of("worked as a", "was hired as a", "trained as a");
    static final List<String> SUBJECT_LEADS = List.of("After work ,", "That evening ,", "Later ,");
    static final List<String> OBJECT_LEADS = List.of("The manager thanked", "Everyone praised", "The team called");

    @Override
    public String name() {
        return "pronouns";
    }

    @Override
    public TaskExample sample(Random rnd, boolean heldOut) {
        while (true) {
            boolean classA = rnd.nextBoolean();
            String name = ToyTask.pick(rnd, classA ? CLASS_A : CLASS_B);
            double u = rnd.nextDouble();
            List<String> group = u < 0.5 ? (classA ? BIASED_A : BIASED_B) : u < 0.65 ? (classA ? BIASED_B : BIASED_A) : NEUTRAL;
            String occupation = ToyTask.pick(rnd, group);
            String intro = ToyTask.pick(rnd, INTROS);
            boolean subject = rnd.nextBoolean();
            String lead = ToyTask.pick(rnd, subject ? SUBJECT_LEADS : OBJECT_LEADS);
            if (ToyTask.heldOut(name + occupation + intro + lead) != heldOut) {
                continue;
            }
            String pronoun = subject ? (classA ? "she" : "he") : (classA ? "her" : "him");
            String rest = subject ? " went home ." : " for the work .";
            return new TaskExample(name(), name + " " + intro + " " + occupation + " . " + lead, pronoun + rest,
                    Set.of(pronoun), heldOut);
        }
    }

    @Override
    public List<String> words() {
        List<String> w = new ArrayList<>(CLASS_A);
        w.addAll(CLASS_B);
        w.addAll(BIASED_A);
        w.addAll(BIASED_B);
        w.addAll(NEUTRAL);
        w.addAll(INTROS);
        w.addAll(SUBJECT_LEADS);
        w.addAll(OBJECT_LEADS);
        w.addAll(List.of("she", "he", "her", "him", "went", "home", "for", "the", "work", "."));
        return w;
    }
}
