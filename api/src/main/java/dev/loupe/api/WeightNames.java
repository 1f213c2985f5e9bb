package dev.loupe.api;

import java.util.ArrayList;
import java.util.List;

/** The TransformerLens weight names of a {@link ModelSpec} and the shape each must have (see {@link Weights}). */
public final class WeightNames {
    private WeightNames() {}

    /** Every weight the spec needs, biases included (a checkpoint may lack biases: see {@link #isBias}). */
    public static List<String> all(ModelSpec s) {
        List<String> out = new ArrayList<>(List.of("W_E"));
        if (s.positional() == ModelSpec.PositionalKind.LEARNED) {
            out.add("W_pos");
        }
        for (int l = 0; l < s.nLayers(); l++) {
            String p = "blocks." + l + ".";
            ArchitectureFeatures.NormPlacement place = s.features().normPlacement();
            for (String n : List.of("ln1.w", "ln1.b", "attn.W_Q", "attn.b_Q", "attn.W_K", "attn.b_K", "attn.W_V",
                    "attn.b_V", "attn.q_norm.w", "attn.k_norm.w", "attn.W_O", "attn.b_O", "ln1_post.w", "ln1_post.b",
                    "ln2.w", "ln2.b", "mlp.W_in", "mlp.b_in", "mlp.W_gate", "mlp.b_gate", "mlp.W_out", "mlp.b_out",
                    "ln2_post.w", "ln2_post.b")) {
                boolean skip = switch (n) {
                    case "mlp.W_gate", "mlp.b_gate" -> !s.gatedMlp();
                    case "ln1.w", "ln1.b", "ln2.w", "ln2.b" -> !place.hasPre();
                    case "ln1_post.w", "ln1_post.b", "ln2_post.w", "ln2_post.b" -> !place.hasPost();
                    case "attn.q_norm.w", "attn.k_norm.w" -> s.features().qkNorm() == ArchitectureFeatures.QkNorm.NONE;
                    default -> false;
                };
                if (!skip) {
                    out.add(p + n);
                }
            }
        }
        out.addAll(List.of("ln_final.w", "ln_final.b", "W_U", "b_U"));
        return out;
    }

    /** Biases (and RMSNorm's absent norm biases) may be missing; a missing bias means zero. */
    public static boolean isBias(String name) {
        String leaf = name.substring(name.lastIndexOf('.') + 1);
        return leaf.startsWith("b_") || leaf.equals("b") || name.equals("b_U");
    }

    /** The shape weight {@code name} must have in the spec. */
    public static int[] shape(ModelSpec s, String name) {
        String leaf = name.startsWith("blocks.") ? name.substring(name.indexOf('.', 7) + 1) : name;
        int d = s.dModel(), h = s.nHeads(), kv = s.nKvHeads(), dh = s.dHead(), m = s.dMlp();
        return switch (leaf) {
            case "W_E" -> new int[] {s.dVocab(), d};
            case "W_pos" -> new int[] {s.nCtx(), d};
            case "W_U" -> new int[] {d, s.dVocab()};
            case "b_U" -> new int[] {s.dVocab()};
            case "ln1.w", "ln1.b", "ln2.w", "ln2.b", "ln1_post.w", "ln1_post.b", "ln2_post.w", "ln2_post.b",
                 "ln_final.w", "ln_final.b", "attn.b_O", "mlp.b_out" -> new int[] {d};
            case "attn.q_norm.w" -> s.features().qkNorm() == ArchitectureFeatures.QkNorm.PER_HEAD
                    ? new int[] {dh} : new int[] {h * dh};
            case "attn.k_norm.w" -> s.features().qkNorm() == ArchitectureFeatures.QkNorm.PER_HEAD
                    ? new int[] {dh} : new int[] {kv * dh};
            case "attn.W_Q" -> new int[] {h, d, dh};
            case "attn.W_K", "attn.W_V" -> new int[] {kv, d, dh};
            case "attn.b_Q" -> new int[] {h, dh};
            case "attn.b_K", "attn.b_V" -> new int[] {kv, dh};
            case "attn.W_O" -> new int[] {h, dh, d};
            case "mlp.W_in", "mlp.W_gate" -> new int[] {d, m};
            case "mlp.b_in", "mlp.b_gate" -> new int[] {m};
            case "mlp.W_out" -> new int[] {m, d};
            default -> throw new IllegalArgumentException("'" + name + "' is not a TransformerLens weight name");
        };
    }
}
