package dev.loupe.dictionary;

import java.util.List;

/**
 * The SAELens architectures Loupe reads and writes ({@code cfg.json}'s {@code architecture}), with the tensors each
 * one's {@code sae_weights.safetensors} holds: SAELens's registered inference classes, state-dict names as saved.
 */
enum SaeLensArchitecture {
    STANDARD("standard", true, List.of("W_enc", "b_enc", "W_dec", "b_dec")),
    JUMPRELU("jumprelu", true, List.of("W_enc", "b_enc", "W_dec", "b_dec", "threshold")),
    TOPK("topk", true, List.of("W_enc", "b_enc", "W_dec", "b_dec")),
    GATED("gated", true, List.of("W_enc", "W_dec", "b_dec", "b_gate", "r_mag", "b_mag")),
    TRANSCODER("transcoder", false, List.of("W_enc", "b_enc", "W_dec", "b_dec")),
    SKIP_TRANSCODER("skip_transcoder", false, List.of("W_enc", "b_enc", "W_dec", "b_dec", "W_skip")),
    JUMPRELU_TRANSCODER("jumprelu_transcoder", false, List.of("W_enc", "b_enc", "W_dec", "b_dec", "threshold"));

    final String cfgName;
    /** One hook, reconstructing its input; b_dec [d_in] is the output bias and, with apply_b_dec_to_input, centres. */
    final boolean sae;
    final List<String> tensors;

    SaeLensArchitecture(String cfgName, boolean sae, List<String> tensors) {
        this.cfgName = cfgName;
        this.sae = sae;
        this.tensors = tensors;
    }

    static SaeLensArchitecture named(String name) {
        for (SaeLensArchitecture a : values()) {
            if (a.cfgName.equals(name)) {
                return a;
            }
        }
        return null;
    }

    static List<String> names() {
        return java.util.Arrays.stream(values()).map(a -> a.cfgName).toList();
    }
}
