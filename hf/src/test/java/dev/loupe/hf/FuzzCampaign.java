package dev.loupe.hf;

import java.util.Map;

/**
 * The size and seed of a fuzz run: 1,000 cases with the build's seed, or {@code -Dloupe.fuzz.cases=N} and
 * {@code -Dloupe.fuzz.seed=S} for a campaign; and the one line that reports its outcomes.
 */
final class FuzzCampaign {
    static final int CASES = Integer.getInteger("loupe.fuzz.cases", 1000);
    static final long SEED = Long.getLong("loupe.fuzz.seed", 20261203L);

    private FuzzCampaign() {}

    static void report(String what, Map<String, Integer> outcomes) {
        System.out.println(what + " fuzz, " + CASES + " cases, seed " + SEED + ": " + outcomes);
    }
}
