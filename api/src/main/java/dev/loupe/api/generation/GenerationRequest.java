package dev.loupe.api.generation;

import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.intervention.Intervention;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What to generate: left-padded prompts (token ids), how many new tokens at most, how they are chosen, when a
 * sequence stops (any of {@code stopIds}, or its text containing any of {@code stopStrings}), the interventions
 * that run at every step (their positions as {@link dev.loupe.api.Positions} states for generation), and the hooks
 * whose activations over the whole trajectory come back. {@code kvCache} false reruns the whole sequence each
 * step (the reference the cached path equals); {@code keepLogits} returns each step's logits (HF's
 * {@code output_scores}, before the sampling rule). Build with {@link #builder}; defaults are set there only.
 */
public record GenerationRequest(List<int[]> prompts, int maxTokens, Sampling sampling, Set<Integer> stopIds,
                                List<String> stopStrings, List<Intervention> interventions, Set<HookPoint> cache,
                                boolean kvCache, boolean keepLogits) {
    public GenerationRequest {
        if (prompts.isEmpty() || prompts.stream().anyMatch(p -> p.length == 0)) {
            throw new LoupeException("generation needs at least one prompt, each of at least one token");
        }
        if (maxTokens <= 0) {
            throw new LoupeException("max tokens " + maxTokens + ": expected > 0");
        }
        if (stopStrings.stream().anyMatch(String::isEmpty)) {
            throw new LoupeException("a stop string is empty: it would stop every sequence before its first token");
        }
        for (Intervention iv : interventions) {
            if (iv instanceof Intervention.Replace) {
                throw new LoupeException("a replace intervention at '" + iv.hook() + "' holds a value for a fixed "
                        + "number of positions and cannot follow a generation; use add, clamp or mean_ablate");
            }
        }
        prompts = prompts.stream().map(int[]::clone).toList();
        stopIds = Set.copyOf(stopIds);
        stopStrings = List.copyOf(stopStrings);
        interventions = List.copyOf(interventions);
        cache = Set.copyOf(cache);
    }

    public static Builder builder(List<int[]> prompts) {
        return new Builder(prompts);
    }

    public static Builder builder(int[] prompt) {
        return new Builder(List.of(prompt));
    }

    /** The padded prompt length: generated tokens start at this position. */
    public int promptLength() {
        return prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
    }

    /**
     * Defaults: 16 tokens, greedy, no stop rule, no interventions, no cache, the engine's KV cache when it has one,
     * no logits kept.
     */
    public static final class Builder {
        private final List<int[]> prompts;
        private int maxTokens = 16;
        private Sampling sampling = Sampling.greedy();
        private final Set<Integer> stopIds = new LinkedHashSet<>();
        private final List<String> stopStrings = new ArrayList<>();
        private final List<Intervention> interventions = new ArrayList<>();
        private final Set<HookPoint> cache = new LinkedHashSet<>();
        private boolean kvCache = true;
        private boolean keepLogits;

        private Builder(List<int[]> prompts) {
            this.prompts = List.copyOf(prompts);
        }

        public Builder maxTokens(int n) {
            maxTokens = n;
            return this;
        }

        public Builder sampling(Sampling s) {
            sampling = s;
            return this;
        }

        /** Token ids that end a sequence (e.g. EOS from {@code generation_config.json}); negative ids are ignored. */
        public Builder stopIds(int... ids) {
            for (int id : ids) {
                if (id >= 0) {
                    stopIds.add(id);
                }
            }
            return this;
        }

        public Builder stopStrings(List<String> strings) {
            stopStrings.addAll(strings);
            return this;
        }

        public Builder interventions(List<Intervention> ivs) {
            interventions.addAll(ivs);
            return this;
        }

        public Builder cache(Set<HookPoint> hooks) {
            cache.addAll(hooks);
            return this;
        }

        public Builder kvCache(boolean on) {
            kvCache = on;
            return this;
        }

        public Builder keepLogits(boolean on) {
            keepLogits = on;
            return this;
        }

        public GenerationRequest build() {
            return new GenerationRequest(prompts, maxTokens, sampling, stopIds, stopStrings, interventions, cache,
                    kvCache, keepLogits);
        }
    }
}
