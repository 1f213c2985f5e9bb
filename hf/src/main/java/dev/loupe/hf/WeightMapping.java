package dev.loupe.hf;

import dev.loupe.api.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The declarative part of an architecture adapter: for each TransformerLens weight, which checkpoint tensor it
 * comes from, the shape that tensor must have, and the reshaping that turns it into the TransformerLens layout.
 * Names may contain {@code {l}} (expanded per layer). A checkpoint name is tried with each of the adapter's
 * prefixes in turn. Tensors are read only when {@link #read} runs.
 */
public final class WeightMapping {
    /** One TransformerLens weight and where it comes from. */
    public record Rule(String tlName, String hfName, int[] hfShape, UnaryOperator<Tensor> transform) {}

    private final List<String> prefixes;
    private final int nLayers;
    private final List<Rule> rules = new ArrayList<>();
    private final java.util.Set<String> used = new java.util.HashSet<>();

    public WeightMapping(int nLayers, String... prefixes) {
        this.nLayers = nLayers;
        this.prefixes = prefixes.length == 0 ? List.of("") : List.of(prefixes);
    }

    /** A required weight. */
    public WeightMapping map(String tlName, String hfName, int[] hfShape, UnaryOperator<Tensor> transform) {
        rules.add(new Rule(tlName, hfName, hfShape, transform));
        return this;
    }

    /** A required weight when {@code present} (a bias the config turns on); nothing otherwise. */
    public WeightMapping mapIf(boolean present, String tlName, String hfName, int[] hfShape,
                               UnaryOperator<Tensor> transform) {
        return present ? map(tlName, hfName, hfShape, transform) : this;
    }

    public List<Rule> rules() {
        return List.copyOf(rules);
    }

    /**
     * Resolves every rule against {@code tensors}: TransformerLens name → lazy reader, in rule order. A checkpoint
     * tensor that no rule reads and that {@code buffers} (regular expressions) does not match is an error.
     */
    public Map<String, TensorReader> read(CheckpointTensors tensors, java.util.Set<String> buffers) {
        Map<String, TensorReader> out = read(tensors);
        java.util.Set<String> unread = new java.util.TreeSet<>(tensors.names());
        unread.removeAll(used);
        unread.removeIf(n -> buffers.stream().anyMatch(n::matches));
        if (!unread.isEmpty()) {
            throw new dev.loupe.api.LoupeException(tensors.origin() + ": tensor '" + unread.iterator().next()
                    + "' is not read by Loupe's adapter for this model (" + unread.size() + " unread: "
                    + String.join(", ", unread.stream().limit(5).toList()) + (unread.size() > 5 ? ", ..." : "")
                    + "); a dropped weight would give wrong numbers");
        }
        return out;
    }

    /**
     * Resolves every rule against {@code tensors}: TransformerLens name → lazy reader, in rule order. A tensor a rule
     * needs that is missing or of another shape is an error now, before any data is read.
     */
    public Map<String, TensorReader> read(CheckpointTensors tensors) {
        Map<String, TensorReader> out = new LinkedHashMap<>();
        for (Rule r : rules) {
            boolean perLayer = r.tlName().contains("{l}");
            for (int l = 0; l < (perLayer ? nLayers : 1); l++) {
                String tl = r.tlName().replace("{l}", Integer.toString(l));
                String hf = resolve(tensors, r.hfName().replace("{l}", Integer.toString(l)));
                String name = hf == null ? prefixes.get(0) + r.hfName().replace("{l}", Integer.toString(l)) : hf;
                used.add(name);
                tensors.check(name, r.hfShape());
                out.put(tl, () -> r.transform().apply(tensors.get(name, r.hfShape())));
            }
        }
        return out;
    }

    private String resolve(CheckpointTensors tensors, String name) {
        for (String p : prefixes) {
            if (tensors.has(p + name)) {
                return p + name;
            }
        }
        return null;
    }

    /** Reads one weight when called. */
    @FunctionalInterface
    public interface TensorReader {
        Tensor read();
    }

    // Reshapes shared by the adapters.

    /** [d_model, heads·d_head] (columns per head) → [heads, d_model, d_head]. */
    public static Tensor inToHeads(Tensor w, int heads, int dHead) {
        return w.reshape(w.size(0), heads, dHead).permute(1, 0, 2);
    }

    /** [heads·d_head, d_model] → [heads, d_head, d_model]. */
    public static Tensor outFromHeads(Tensor w, int heads, int dHead) {
        return w.reshape(heads, dHead, w.size(1));
    }

    /** [heads·d_head] → [heads, d_head]. */
    public static Tensor biasToHeads(Tensor b, int heads, int dHead) {
        return b.reshape(heads, dHead);
    }

    /** A Gemma-style (1 + w) RMSNorm gain as a plain gain. */
    public static Tensor plusOne(Tensor w) {
        float[] a = w.toArray();
        for (int i = 0; i < a.length; i++) {
            a[i] += 1f;
        }
        return Tensor.adopt(a, w.shape());
    }

    public static int[] shape(int... dims) {
        return dims;
    }
}
