package dev.loupe.api;

import java.util.Map;
import java.util.TreeMap;

/**
 * The outputs of a forward pass.
 *
 * @param logits  [batch, pos, vocab] for {@code ALL}, [batch, vocab] for {@code LAST}; null for {@code NONE}
 * @param cache   activations at the requested hook points, shaped as in TransformerLens (padded)
 * @param lengths real (unpadded) length of each sequence
 */
public record RunResult(Tensor logits, Map<HookPoint, Tensor> cache, int[] lengths) {
    public RunResult {
        cache = Map.copyOf(cache);
        lengths = lengths.clone();
    }

    @Override
    public Tensor logits() {
        if (logits == null) {
            throw new IllegalStateException("logits were not requested (LogitsMode.NONE)");
        }
        return logits;
    }

    /** The cached activation at {@code hook}; a one-line error if it was not requested. */
    public Tensor activation(HookPoint hook) {
        Tensor t = cache.get(hook);
        if (t == null) {
            throw new IllegalArgumentException("hook '" + hook + "' was not cached; cached: " + new TreeMap<>(cache).keySet());
        }
        return t;
    }

    public Tensor activation(String hookName) {
        return activation(HookPoint.parse(hookName));
    }

    @Override
    public int[] lengths() {
        return lengths.clone();
    }
}
