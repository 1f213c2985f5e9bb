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
    public record Rule(String tlName, String hfName, int[] hfShape, UnaryOperator<Tensor> transform, boolean optional) {}

    private final List<String> prefixes;
    private final int nLayers;
    private final List<Rule> rules = new ArrayList<>();

    public WeightMapping(int nLayers, String... prefixes) {
        this.nLayers = nLayers;
        this.prefixes = prefixes.length == 0 ? List.of("") : List.of(prefixes);
    }

    /** A required weight. */
    public WeightMapping map(String tlName, String hfName, int[] hfShape, UnaryOperator<Tensor> transform) {
        rules.add(new Rule(tlName, hfName, hfShape, transform, false));
        return this;
    }

    /** A weight used only when the checkpoint has it (biases of some families). */
    public WeightMapping optional(String tlName, String hfName, int[] hfShape, UnaryOperator<Tensor> transform) {
        rules.add(new Rule(tlName, hfName, hfShape, transform, true));
        return this;
    }

    public List<Rule> rules() {
        return List.copyOf(rules);
    }

    /** Resolves every rule against {@code tensors}: TransformerLens name → lazy reader, in rule order. */
    public Map<String, TensorReader> read(CheckpointTensors tensors) {
        Map<String, TensorReader> out = new LinkedHashMap<>();
        for (Rule r : rules) {
            boolean perLayer = r.tlName().contains("{l}");
            for (int l = 0; l < (perLayer ? nLayers : 1); l++) {
                String tl = r.tlName().replace("{l}", Integer.toString(l));
                String hf = resolve(tensors, r.hfName().replace("{l}", Integer.toString(l)));
                if (hf == null && r.optional()) {
                    continue;
                }
                String name = hf == null ? prefixes.get(0) + r.hfName().replace("{l}", Integer.toString(l)) : hf;
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

    public static int[] shape(int... dims) {
        return dims;
    }
}
