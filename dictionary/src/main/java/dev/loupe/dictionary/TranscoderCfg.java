package dev.loupe.dictionary;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;

/**
 * A SAELens folder's {@code cfg.json}, every key read or refused: the architecture ({@link SaeLensArchitecture}),
 * shape and hooks, {@code apply_b_dec_to_input} (false: b_dec is only the output bias; true, or absent as SAELens
 * defaults it: subtracted from the input too, which for a transcoder is Loupe's older layout with a separate
 * {@code b_dec_out}), {@code k} for TopK, {@code normalize_activations} ({@code constant_norm_rescale} and
 * {@code layer_norm} at run time; {@code expected_average_only_in} needs the factor SAELens's
 * {@code pretrained_saes.yaml} lists, given as {@code norm_scaling_factor}, and is folded into the weights as SAELens's
 * {@code fold_activation_norm_scaling_factor} does), the SAELens keys whose value must be the one Loupe implements,
 * and provenance that changes no number (model name, dataset, context size, versions, device). Any other key is
 * refused by name. SAELens 5 keeps the hook keys at the top level (older files as {@code hook_point}), 6 under
 * {@code metadata}; both are read, and the two must agree where both are given.
 *
 * @param convention  how the input was normalised in training ({@code metadata.input_convention}, "unknown" if absent)
 * @param run         the {@code loupe_run} id shared with the weights file, or null
 * @param saeLensBias {@code apply_b_dec_to_input} is false: b_dec is the output bias only
 * @param model       the model it was trained on ({@code metadata.model_fingerprint}), or null
 * @param arch        the SAELens architecture
 * @param k           TopK's k, or 0
 * @param normalization the run-time input normalisation
 * @param normScale   the {@code expected_average_only_in} factor to fold in, or 1
 */
record TranscoderCfg(int dIn, int dSae, int dOut, HookPoint hookIn, HookPoint hookOut, String convention,
                     String run, boolean saeLensBias, dev.loupe.api.ModelFingerprint model, SaeLensArchitecture arch,
                     int k, dev.loupe.api.intervention.InputNormalization normalization, double normScale) {
    /** A one-hook SAE rather than a transcoder. */
    boolean sae() {
        return arch.sae;
    }

    static final String RUN = "loupe_run";
    /** The {@code expected_average_only_in} factor, named as SAELens's pretrained_saes.yaml names it. */
    static final String NORM_SCALE = "norm_scaling_factor";
    /** Keys that record where a transcoder came from and change no number Loupe computes. */
    static final Set<String> PROVENANCE = Set.of("model_name", "model_class_name", "model_from_pretrained_kwargs",
            "context_size", "prepend_bos", "dataset_path", "dataset_trust_remote_code", "sae_lens_version",
            "sae_lens_training_version", "neuronpedia_id", "exclude_special_tokens", "seqpos_slice", "device");
    private static final Set<String> TOP = Set.of("architecture", "d_in", "d_sae", "d_out", "dtype", "metadata",
            "apply_b_dec_to_input", "normalize_activations", "reshape_activations", "activation_fn_str",
            "activation_fn_kwargs", "activation_fn", "finetuning_scaling_factor", "k", "rescale_acts_by_decoder_norm",
            NORM_SCALE);
    private static final Set<String> HOOKS = Set.of("hook_name", "hook_name_out", "hook_layer", "hook_layer_out",
            "hook_head_index", "hook_head_index_out", "hook_point", "hook_point_layer", "hook_point_head_index");
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
        String[] fn = activationFn(file, cfg);
        String activationFn = fn[1];
        JsonNode archNode = cfg.get("architecture");
        String archName = archNode == null ? (activationFn.equals("topk") ? "topk" : "standard") : archNode.asText("");
        SaeLensArchitecture arch = SaeLensArchitecture.named(archName);
        if (arch == SaeLensArchitecture.STANDARD && activationFn.equals("topk")) {
            arch = SaeLensArchitecture.TOPK; // SAELens 5's layout: a "standard" cfg with activation_fn_str "topk"
        }
        if (arch == null) {
            throw new LoupeException(file + ": field 'architecture' is " + archNode + " (expected one of "
                    + SaeLensArchitecture.names() + ")");
        }
        boolean sae = arch.sae;
        JsonNode apply = cfg.get("apply_b_dec_to_input");
        if (apply != null && !apply.isBoolean()) {
            throw new LoupeException(file + ": field 'apply_b_dec_to_input' is " + apply + " (expected true or false)");
        }
        if (!sae && arch != SaeLensArchitecture.TRANSCODER && !(apply != null && !apply.booleanValue())) {
            throw new LoupeException(file + ": field 'apply_b_dec_to_input' is " + (apply == null ? "absent (true)"
                    : apply) + " but a '" + arch.cfgName + "' has b_dec [d_out] as its output bias only (expected false,"
                    + " as SAELens's TranscoderConfig requires)");
        }
        requireValue(file, cfg, "finetuning_scaling_factor", false, "Loupe applies no fine-tuning scale");
        requireValue(file, cfg, "rescale_acts_by_decoder_norm", false,
                "Loupe's TopK selects on the raw pre-activations");
        requireText(file, cfg, "reshape_activations", Set.of("none"), "Loupe reads [.., d_in] activations");
        requireText(file, cfg, "dtype", DTYPES, "Loupe computes in float32 from the stored tensors");
        if (!activationFn.equals("relu") && !(activationFn.equals("topk") && arch == SaeLensArchitecture.TOPK)) {
            throw new LoupeException(file + ": field '" + fn[0] + "' is \"" + activationFn + "\" (expected \"relu\" "
                    + "for a ReLU-family architecture, or \"topk\" for a topk architecture)");
        }
        int k = topK(file, cfg, arch);
        Normalization normalization = normalization(file, cfg, sae);
        int din = integer(file, cfg, "d_in");
        int dsae = integer(file, cfg, "d_sae");
        int dout = cfg.has("d_out") ? integer(file, cfg, "d_out") : din;
        if (sae && dout != din) {
            throw new LoupeException(file + ": field 'd_out' is " + dout + " but a standard SAE reconstructs its input "
                    + "(d_in " + din + ")");
        }
        String convention = text(file, meta, "input_convention", "unknown");
        HookPoint named = hook(file, cfg, field(file, cfg, "hook_name") == null && field(file, cfg, "hook_point") != null
                ? "hook_point" : "hook_name");
        HookPoint in = InputConvention.inputHook(named, convention);
        if (!in.equals(named)) {
            convention = InputConvention.NORM_OUTPUT;
        }
        HookPoint out = sae && field(file, cfg, "hook_name_out") == null ? named : hook(file, cfg, "hook_name_out");
        if (sae && !out.equals(named)) {
            throw new LoupeException(file + ": field 'hook_name_out' is " + out.name() + " but a standard SAE "
                    + "reconstructs " + named.name() + " (architecture 'standard'; a transcoder between two hooks "
                    + "says \"transcoder\")");
        }
        requireLayer(file, cfg, "hook_layer", named);
        requireLayer(file, cfg, "hook_point_layer", named);
        requireLayer(file, cfg, "hook_layer_out", out);
        for (String head : new String[] {"hook_head_index", "hook_head_index_out", "hook_point_head_index"}) {
            JsonNode h = field(file, cfg, head);
            if (h != null && !h.isNull()) {
                throw new LoupeException(file + ": field '" + head + "' is " + h + " (Loupe's transcoders read whole "
                        + "activations, not one head's)");
            }
        }
        return new TranscoderCfg(din, dsae, dout, in, out, convention, text(file, meta, RUN, null),
                apply != null && !apply.booleanValue(), fingerprint(file, meta.get(FINGERPRINT)), arch, k,
                normalization.kind(), normalization.scale());
    }

    /** {@code activation_fn} (6.x) or {@code activation_fn_str} (5.x) as {name, value}; "relu" when absent. */
    private static String[] activationFn(Path file, JsonNode cfg) {
        String[] found = {"activation_fn", "relu"};
        for (String name : new String[] {"activation_fn", "activation_fn_str"}) {
            JsonNode n = cfg.get(name);
            if (n != null && !n.isNull()) {
                if (!n.isTextual()) {
                    throw new LoupeException(file + ": field '" + name + "' is " + n + " (expected a string)");
                }
                found = new String[] {name, n.asText()};
            }
        }
        return found;
    }

    /** k from the top-level {@code k} (6.x) or {@code activation_fn_kwargs.k} (5.x), which must agree. */
    private static int topK(Path file, JsonNode cfg, SaeLensArchitecture arch) {
        JsonNode kwargs = cfg.get("activation_fn_kwargs");
        if (kwargs != null && !kwargs.isObject()) {
            throw new LoupeException(file + ": field 'activation_fn_kwargs' is " + kwargs + " (expected an object)");
        }
        if (kwargs != null) {
            for (Iterator<String> names = kwargs.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!(name.equals("k") && arch == SaeLensArchitecture.TOPK)) {
                    throw new LoupeException(file + ": field 'activation_fn_kwargs." + name + "' is not one Loupe reads"
                            + " for architecture '" + arch.cfgName + "'");
                }
            }
        }
        JsonNode top = cfg.get("k");
        JsonNode old = kwargs == null ? null : kwargs.get("k");
        if (arch != SaeLensArchitecture.TOPK) {
            if (top != null) {
                throw new LoupeException(file + ": field 'k' is set but architecture '" + arch.cfgName
                        + "' has no k (only \"topk\" does)");
            }
            return 0;
        }
        if (top != null && old != null && !top.equals(old)) {
            throw new LoupeException(file + ": fields 'k' (" + top + ") and 'activation_fn_kwargs.k' (" + old
                    + ") disagree");
        }
        JsonNode n = top != null ? top : old;
        if (n == null) {
            return 100; // TopKSAEConfig's default
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() <= 0) {
            throw new LoupeException(file + ": field 'k' is " + n + " (expected a positive integer)");
        }
        return n.intValue();
    }

    /** The run-time normalisation, and the expected_average_only_in factor to fold into the weights (else 1). */
    private record Normalization(dev.loupe.api.intervention.InputNormalization kind, double scale) {
        Normalization(dev.loupe.api.intervention.InputNormalization kind) {
            this(kind, 1);
        }
    }

    private static Normalization normalization(Path file, JsonNode cfg, boolean sae) {
        JsonNode n = cfg.get("normalize_activations");
        JsonNode factor = cfg.get(NORM_SCALE);
        String value = n == null || n.isNull() ? "none" : n.isBoolean() ? (n.booleanValue()
                ? "expected_average_only_in" : "none") : n.asText(null);
        if (value == null) {
            throw new LoupeException(file + ": field 'normalize_activations' is " + n + " (expected a string)");
        }
        if (!sae && !value.equals("none")) {
            throw new LoupeException(file + ": field 'normalize_activations' is \"" + value + "\" on a transcoder "
                    + "(expected \"none\": SAELens's Transcoder rescales the input but never undoes it on the output, "
                    + "so Loupe refuses rather than guess)");
        }
        if (factor != null && !value.equals("expected_average_only_in")) {
            throw new LoupeException(file + ": field '" + NORM_SCALE + "' is set but normalize_activations is \""
                    + value + "\" (the factor belongs to expected_average_only_in)");
        }
        return switch (value) {
            case "none" -> new Normalization(dev.loupe.api.intervention.InputNormalization.NONE);
            case "constant_norm_rescale" ->
                    new Normalization(dev.loupe.api.intervention.InputNormalization.CONSTANT_NORM_RESCALE);
            case "layer_norm" -> new Normalization(dev.loupe.api.intervention.InputNormalization.LAYER_NORM);
            case "expected_average_only_in" -> {
                if (factor == null || !factor.isNumber() || !(factor.doubleValue() > 0)
                        || Double.isInfinite(factor.doubleValue())) {
                    throw new LoupeException(file + ": field 'normalize_activations' is \"expected_average_only_in\""
                            + " but '" + NORM_SCALE + "' is " + (factor == null ? "missing" : factor) + " (expected the "
                            + "positive factor SAELens's pretrained_saes.yaml lists for this SAE; its load_from_disk "
                            + "would silently skip the rescaling)");
                }
                yield new Normalization(dev.loupe.api.intervention.InputNormalization.NONE, factor.doubleValue());
            }
            default -> throw new LoupeException(file + ": field 'normalize_activations' is " + n + " (expected one of "
                    + "none, constant_norm_rescale, layer_norm, expected_average_only_in)");
        };
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
