package dev.loupe.method.transcoder;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;

/**
 * A transcoder folder's {@code cfg.json}, every key read or refused: the shape and hooks Loupe computes with,
 * {@code apply_b_dec_to_input} (false: SAELens's transcoder, b_dec the output bias; true or absent, as SAELens
 * defaults it: Loupe's older layout, b_dec subtracted from the input and {@code b_dec_out} the output bias), the
 * SAELens keys whose value must be the one Loupe's transcoder implements ({@code normalize_activations} "none", a
 * ReLU, no head index, hook layers that agree with the hook names), and
 * provenance that changes no number (model name, dataset, context size, versions, device). Any other key is
 * refused by name, so nothing in a cfg is silently ignored. SAELens 5 keeps the hook keys at the top level, 6 under
 * {@code metadata}; both are read, and the two must agree where both are given.
 *
 * @param convention how the input was normalised in training ({@code metadata.input_convention}, "unknown" if absent)
 * @param run        the {@code loupe_run} id shared with the weights file, or null
 * @param saeLensBias {@code apply_b_dec_to_input} is false: b_dec is the output bias and there is no b_dec_out
 * @param model       the model it was trained on ({@code metadata.model_fingerprint}), or null
 * @param sae         a SAELens standard (ReLU) SAE: one hook, b_dec [d_in] the output bias and, with
 *                    {@code apply_b_dec_to_input} true or absent, subtracted from the input too
 */
record TranscoderCfg(int dIn, int dSae, int dOut, HookPoint hookIn, HookPoint hookOut, String convention,
                     String run, boolean saeLensBias, dev.loupe.api.ModelFingerprint model, boolean sae) {
    static final String RUN = "loupe_run";
    /** Keys that record where a transcoder came from and change no number Loupe computes. */
    static final Set<String> PROVENANCE = Set.of("model_name", "model_class_name", "model_from_pretrained_kwargs",
            "context_size", "prepend_bos", "dataset_path", "dataset_trust_remote_code", "sae_lens_version",
            "sae_lens_training_version", "neuronpedia_id", "exclude_special_tokens", "seqpos_slice", "device");
    private static final Set<String> TOP = Set.of("architecture", "d_in", "d_sae", "d_out", "dtype", "metadata",
            "apply_b_dec_to_input", "normalize_activations", "reshape_activations", "activation_fn_str",
            "activation_fn_kwargs", "finetuning_scaling_factor");
    private static final Set<String> HOOKS = Set.of("hook_name", "hook_name_out", "hook_layer", "hook_layer_out",
            "hook_head_index", "hook_head_index_out");
    static final String FINGERPRINT = "model_fingerprint";
    private static final Set<String> LOUPE = Set.of("input_convention", RUN, FINGERPRINT);
    private static final Set<String> DTYPES = Set.of("float32", "float16", "bfloat16", "torch.float32",
            "torch.float16", "torch.bfloat16");

    static TranscoderCfg read(Path file, JsonNode cfg) {
        if (!cfg.isObject()) {
            throw new LoupeException(file + ": expected a JSON object");
        }
        JsonNode meta = cfg.path("metadata");
        if (cfg.has("metadata") && !meta.isObject()) {
            throw new LoupeException(file + ": field 'metadata' is " + meta + " (expected an object)");
        }
        requireKnown(file, cfg, "", TOP, HOOKS, PROVENANCE);
        requireKnown(file, meta, "metadata.", HOOKS, PROVENANCE, LOUPE);
        JsonNode archNode = cfg.get("architecture");
        String arch = archNode == null ? "standard" : archNode.asText("");
        if (!arch.equals("transcoder") && !arch.equals("standard")) {
            throw new LoupeException(file + ": field 'architecture' is '" + arch + "' (expected \"transcoder\" or "
                    + "\"standard\", a ReLU SAE; other SAELens architectures are not implemented)");
        }
        boolean sae = arch.equals("standard");
        JsonNode apply = cfg.get("apply_b_dec_to_input");
        if (apply != null && !apply.isBoolean()) {
            throw new LoupeException(file + ": field 'apply_b_dec_to_input' is " + apply + " (expected true or false)");
        }
        requireValue(file, cfg, "finetuning_scaling_factor", false, "Loupe applies no fine-tuning scale");
        requireText(file, cfg, "normalize_activations", Set.of("none"), "Loupe does not rescale activations");
        requireText(file, cfg, "reshape_activations", Set.of("none"), "Loupe reads [.., d_in] activations");
        requireText(file, cfg, "activation_fn_str", Set.of("relu"), "Loupe's transcoder is a ReLU");
        requireText(file, cfg, "dtype", DTYPES, "Loupe computes in float32 from the stored tensors");
        JsonNode kwargs = cfg.get("activation_fn_kwargs");
        if (kwargs != null && !(kwargs.isObject() && kwargs.isEmpty())) {
            throw new LoupeException(file + ": field 'activation_fn_kwargs' is " + kwargs + " (expected {})");
        }
        int din = integer(file, cfg, "d_in");
        int dsae = integer(file, cfg, "d_sae");
        int dout = cfg.has("d_out") ? integer(file, cfg, "d_out") : din;
        if (sae && dout != din) {
            throw new LoupeException(file + ": field 'd_out' is " + dout + " but a standard SAE reconstructs its input "
                    + "(d_in " + din + ")");
        }
        String convention = text(file, meta, "input_convention", "unknown");
        HookPoint named = hook(file, cfg, "hook_name");
        HookPoint in = ActivationHarvest.inputHook(named, convention);
        if (!in.equals(named)) {
            convention = ActivationHarvest.CONVENTION;
        }
        HookPoint out = sae && field(file, cfg, "hook_name_out") == null ? named : hook(file, cfg, "hook_name_out");
        if (sae && !out.equals(named)) {
            throw new LoupeException(file + ": field 'hook_name_out' is " + out.name() + " but a standard SAE "
                    + "reconstructs " + named.name() + " (architecture 'standard'; a transcoder between two hooks "
                    + "says \"transcoder\")");
        }
        requireLayer(file, cfg, "hook_layer", named);
        requireLayer(file, cfg, "hook_layer_out", out);
        for (String head : new String[] {"hook_head_index", "hook_head_index_out"}) {
            JsonNode h = field(file, cfg, head);
            if (h != null && !h.isNull()) {
                throw new LoupeException(file + ": field '" + head + "' is " + h + " (Loupe's transcoders read whole "
                        + "activations, not one head's)");
            }
        }
        return new TranscoderCfg(din, dsae, dout, in, out, convention, text(file, meta, RUN, null),
                apply != null && !apply.booleanValue(), fingerprint(file, meta.get(FINGERPRINT)), sae);
    }

    private static dev.loupe.api.ModelFingerprint fingerprint(Path file, JsonNode f) {
        if (f == null) {
            return null;
        }
        if (!f.isObject() || f.size() != 2 || !f.path("shapes").isTextual() || !f.path("weights").isTextual()) {
            throw new LoupeException(file + ": field 'metadata." + FINGERPRINT + "' is " + f + " (expected {\"shapes\": "
                    + "hex, \"weights\": hex})");
        }
        return new dev.loupe.api.ModelFingerprint(f.get("shapes").asText(), f.get("weights").asText());
    }

    @SafeVarargs
    private static void requireKnown(Path file, JsonNode node, String prefix, Set<String>... known) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            boolean ok = false;
            for (Set<String> k : known) {
                ok |= k.contains(name);
            }
            if (!ok) {
                throw new LoupeException(file + ": field '" + prefix + name + "' is not one Loupe reads (a SAELens key "
                        + "it does not implement, or a typo)");
            }
        }
    }

    /** A hook key under {@code metadata} (SAELens 6) or at the top level (5); both must agree when both are there. */
    private static JsonNode field(Path file, JsonNode cfg, String name) {
        JsonNode top = cfg.get(name);
        JsonNode meta = cfg.path("metadata").get(name);
        if (top != null && meta != null && !top.equals(meta)) {
            throw new LoupeException(file + ": fields '" + name + "' (" + top + ") and 'metadata." + name + "' ("
                    + meta + ") disagree");
        }
        return meta != null ? meta : top;
    }

    private static void requireValue(Path file, JsonNode cfg, String name, boolean expected, String why) {
        JsonNode n = cfg.get(name);
        if (n != null && !(n.isBoolean() && n.booleanValue() == expected)) {
            throw new LoupeException(file + ": field '" + name + "' is " + n + " (expected " + expected + ": " + why
                    + ")");
        }
    }

    private static void requireText(Path file, JsonNode cfg, String name, Set<String> allowed, String why) {
        JsonNode n = cfg.get(name);
        if (n != null && !n.isNull() && !(n.isTextual() && allowed.contains(n.asText()))) {
            throw new LoupeException(file + ": field '" + name + "' is " + n + " (expected one of " + allowed + ": "
                    + why + ")");
        }
    }

    private static String text(Path file, JsonNode node, String name, String absent) {
        JsonNode n = node.get(name);
        if (n == null) {
            return absent;
        }
        if (!n.isTextual()) {
            throw new LoupeException(file + ": field 'metadata." + name + "' is " + n + " (expected a string)");
        }
        return n.asText();
    }

    private static void requireLayer(Path file, JsonNode cfg, String name, HookPoint hook) {
        JsonNode n = field(file, cfg, name);
        if (n != null && !(n.isIntegralNumber() && n.canConvertToInt() && n.intValue() == hook.layer())) {
            throw new LoupeException(file + ": field '" + name + "' is " + n + " but the hook " + hook.name()
                    + " is in layer " + hook.layer());
        }
    }

    private static int integer(Path file, JsonNode cfg, String name) {
        JsonNode n = cfg.get(name);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() <= 0) {
            throw new LoupeException(file + ": field '" + name + "' " + (n == null ? "missing" : "is " + n)
                    + " (expected a positive integer below 2^31)");
        }
        return n.intValue();
    }

    private static HookPoint hook(Path file, JsonNode cfg, String name) {
        JsonNode n = field(file, cfg, name);
        if (n == null || !n.isTextual()) {
            throw new LoupeException(file + ": field 'metadata." + name + "' " + (n == null ? "missing" : "is " + n)
                    + " (expected a hook name such as blocks.3.ln2.hook_out)");
        }
        try {
            return HookPoint.parse(n.asText());
        } catch (LoupeException e) {
            throw new LoupeException(file + ": field 'metadata." + name + "': " + e.getMessage());
        }
    }
}
