package dev.loupe.eval.toy;

import java.util.List;
import java.util.Random;

/**
 * A task of the toy world: a generator of examples with known answers. Whether an example is held out depends
 * only on the combination of its parts (a stable hash), so held-out combinations are never trained on.
 */
public interface ToyTask {
    String name();

    /** A random example of the requested split. */
    TaskExample sample(Random rnd, boolean heldOut);

    /** Every word the task can produce, so the vocabulary covers it. */
    List<String> words();

    /** One in five combinations is held out. */
    static boolean heldOut(String key) {
        return Math.floorMod(key.hashCode() * 0x9E3779B9, 5) == 0;
    }

    static String pick(Random rnd, List<String> options) {
        return options.get(rnd.nextInt(options.size()));
    }
}
