package dev.loupe.eval.toy;

import java.util.List;
import java.util.Random;

/**
 * The training stream: documents drawn from the training split of every task in equal shares, mixed with English
 * sentences. Deterministic for a seed.
 */
public final class ToyCorpus {
    private final Random rnd;
    private final List<ToyTask> tasks = ToyWorld.tasks();
    private final List<String> english;
    private final double englishShare;

    public ToyCorpus(long seed, List<String> english, double englishShare) {
        this.rnd = new Random(seed);
        this.english = List.copyOf(english);
        this.englishShare = english.isEmpty() ? 0 : englishShare;
    }

    /** The next training document (without BOS). */
    public String next() {
        if (rnd.nextDouble() < englishShare) {
            return english.get(rnd.nextInt(english.size()));
        }
        return tasks.get(rnd.nextInt(tasks.size())).sample(rnd, false).text();
    }
}
