package dev.loupe.hf.arch;

import static dev.loupe.hf.WeightMapping.inToHeads;
import static dev.loupe.hf.WeightMapping.outFromHeads;
import static dev.loupe.hf.WeightMapping.shape;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.ArchitectureFeatures;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.Tensor;
import dev.loupe.hf.ArchitectureAdapter;
import dev.loupe.hf.HfConfig;
import dev.loupe.hf.WeightMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * GPT-Neo ({@code GPTNeoForCausalLM}): learned positions, global and local ({@code window_size}) attention layers
 * as {@code attention_types} says, scores NOT divided by √d_head, no q/k/v biases.
 */
public final class GptNeoAdapter implements ArchitectureAdapter {
    @Override
    public Set<String> modelTypes() {
        return Set.of("gpt_neo");
    }

    @Override
    public Set<String> bufferTensors() {
        return Set.of("(transformer\\.)?h\\.\\d+\\.attn\\.attention\\.(bias|masked_bias)");
    }

    @Override
    public ModelSpec spec(HfConfig c) {
        int d = c.requireInt("hidden_size");
        int heads = c.requireInt("num_heads");
        int layers = c.requireInt("num_layers");
        List<Boolean> local = new ArrayList<>();
        for (String kind : layerKinds(c)) {
            switch (kind) {
                case "global" -> local.add(false);
                case "local" -> local.add(true);
                default -> throw c.error("attention_types", "has '" + kind + "' (expected global or local)");
            }
        }
        if (local.size() != layers) {
            throw c.error("attention_types", "gives " + local.size() + " layers but num_layers is " + layers);
        }
        return new ModelSpec("gpt_neo", layers, d, heads, heads, d / heads, c.integer(4 * d, "intermediate_size"),
                c.requireInt("vocab_size"), c.requireInt("max_position_embeddings"), ModelSpec.NormKind.LAYER_NORM,
                c.number(1e-5, "layer_norm_epsilon"), ModelSpec.PositionalKind.LEARNED, 0, 0,
                Activations.parse(c, "gelu_new", "activation_function"), false, false,
                c.bool(true, "tie_word_embeddings"), ArchitectureFeatures.builder()
                        .slidingWindows(LayerWindows.windows(c, local, "window_size")).attentionScale(1.0).build());
    }

    /** {@code attention_types} ([[kinds, repeats], …]) expanded; it must agree with {@code attention_layers}. */
    private static List<String> layerKinds(HfConfig c) {
        List<String> out = new ArrayList<>();
        JsonNode types = c.node("attention_types");
        if (types != null) {
            for (JsonNode group : types) {
                for (int i = 0; i < group.path(1).asInt(); i++) {
                    group.path(0).forEach(k -> out.add(k.asText()));
                }
            }
        }
        JsonNode layers = c.node("attention_layers");
        if (layers != null) {
            List<String> listed = new ArrayList<>();
            layers.forEach(k -> listed.add(k.asText()));
            if (types != null && !listed.equals(out)) {
                throw c.error("attention_layers", "is " + listed + " but attention_types expands to " + out);
            }
            return listed;
        }
        if (types == null) {
            throw c.error("attention_types", "missing (expected [[[\"global\", \"local\"], repeats]])");
        }
        return out;
    }

    @Override
    public WeightMapping weights(ModelSpec s, HfConfig c) {
        int d = s.dModel(), h = s.nHeads(), dh = s.dHead(), m = s.dMlp(), v = s.dVocab();
        WeightMapping w = new WeightMapping(s.nLayers(), "transformer.", "")
                .map("W_E", "wte.weight", shape(v, d), UnaryOperator.identity())
                .map("W_pos", "wpe.weight", shape(s.nCtx(), d), UnaryOperator.identity());
        for (String ln : new String[] {"ln1:ln_1", "ln2:ln_2"}) {
            String[] p = ln.split(":");
            w.map("blocks.{l}." + p[0] + ".w", "h.{l}." + p[1] + ".weight", shape(d), UnaryOperator.identity())
             .map("blocks.{l}." + p[0] + ".b", "h.{l}." + p[1] + ".bias", shape(d), UnaryOperator.identity());
        }
        String a = "h.{l}.attn.attention.";
        for (String p : new String[] {"Q", "K", "V"}) {
            w.map("blocks.{l}.attn.W_" + p, a + p.toLowerCase() + "_proj.weight", shape(d, d),
                    t -> inToHeads(t.transpose(), h, dh));
        }
        return w.map("blocks.{l}.attn.W_O", a + "out_proj.weight", shape(d, d), t -> outFromHeads(t.transpose(), h, dh))
                .map("blocks.{l}.attn.b_O", a + "out_proj.bias", shape(d), UnaryOperator.identity())
                .map("blocks.{l}.mlp.W_in", "h.{l}.mlp.c_fc.weight", shape(m, d), Tensor::transpose)
                .map("blocks.{l}.mlp.b_in", "h.{l}.mlp.c_fc.bias", shape(m), UnaryOperator.identity())
                .map("blocks.{l}.mlp.W_out", "h.{l}.mlp.c_proj.weight", shape(d, m), Tensor::transpose)
                .map("blocks.{l}.mlp.b_out", "h.{l}.mlp.c_proj.bias", shape(d), UnaryOperator.identity())
                .map("ln_final.w", "ln_f.weight", shape(d), UnaryOperator.identity())
                .map("ln_final.b", "ln_f.bias", shape(d), UnaryOperator.identity())
                .map("W_U", s.tiedEmbeddings() ? "wte.weight" : "lm_head.weight", shape(v, d), Tensor::transpose);
    }
}
