package dev.loupe.hf.arch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.hf.HfConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Which layers attend through a sliding window, and how wide: transformers 5's {@code layer_types}
 * ({@code full_attention} / {@code sliding_attention}) when present, else the family's older rule.
 */
final class LayerWindows {
    private LayerWindows() {}

    /**
     * Per layer, the window (0 for global): {@code layer_types} if the config has it, else {@code slidingWhen}
     * applied to each layer index; {@code sliding_window} gives the width.
     */
    static List<Integer> read(HfConfig c, int layers, IntPredicate slidingWhen) {
        JsonNode types = c.node("layer_types");
        List<Boolean> sliding = new ArrayList<>();
        if (types != null) {
            if (!types.isArray() || types.size() != layers) {
                throw c.error("layer_types", "is " + types + " (expected " + layers + " of full_attention or sliding_attention)");
            }
            for (JsonNode t : types) {
                switch (t.asText()) {
                    case "full_attention" -> sliding.add(false);
                    case "sliding_attention" -> sliding.add(true);
                    default -> throw c.error("layer_types", "has '" + t.asText()
                            + "' (Loupe computes full_attention and sliding_attention)");
                }
            }
        } else {
            for (int l = 0; l < layers; l++) {
                sliding.add(slidingWhen.test(l));
            }
        }
        return windows(c, sliding, "sliding_window");
    }

    /**
     * Qwen2/Qwen3: {@link #read} with {@code use_sliding_window} as a gate. HF drops the window when it is false, so
     * {@code layer_types} naming sliding layers then contradicts it (HF fails on it); refused by name.
     */
    static List<Integer> readGated(HfConfig c, int layers) {
        boolean gate = c.bool(false, "use_sliding_window");
        int from = c.integer(layers, "max_window_layers");
        List<Integer> windows = read(c, layers, l -> gate && l >= from);
        if (!gate && !windows.isEmpty()) {
            throw c.error("use_sliding_window", "is false but layer_types names sliding_attention layers");
        }
        return windows;
    }

    /** Per layer, {@code windowKey}'s width where {@code sliding} says so, else 0; empty when no layer slides. */
    static List<Integer> windows(HfConfig c, List<Boolean> sliding, String windowKey) {
        if (!sliding.contains(true)) {
            c.node(windowKey);
            return List.of();
        }
        int w = c.integer(4096, windowKey);
        if (w <= 0) {
            throw c.error(windowKey, (c.has(windowKey) ? "is " + w : "missing")
                    + " but some layers use sliding-window attention (expected a positive integer)");
        }
        List<Integer> out = new ArrayList<>();
        for (boolean s : sliding) {
            out.add(s ? w : 0);
        }
        return out;
    }
}
