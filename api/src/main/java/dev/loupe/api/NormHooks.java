package dev.loupe.api;

/**
 * The three hook points of one norm, by its TransformerLens name ({@code ln1}, {@code ln1_post}, {@code ln2},
 * {@code ln2_post}, {@code ln_final}, and the q/k norms {@code attn.q_norm}, {@code attn.k_norm}): {@code hook_scale}, {@code hook_normalized} (before gain and bias, as in
 * TransformerLens) and {@code hook_out} (after them).
 */
public record NormHooks(HookPoint scale, HookPoint normalized, HookPoint out) {
    /** The hooks of norm {@code name} in block {@code layer} ({@code -1} for {@code ln_final}). */
    public static NormHooks of(String name, int layer) {
        return switch (name) {
            case "ln1" -> block(layer, HookSite.LN1_SCALE, HookSite.LN1_NORMALIZED, HookSite.LN1_OUT);
            case "ln1_post" -> block(layer, HookSite.LN1_POST_SCALE, HookSite.LN1_POST_NORMALIZED, HookSite.LN1_POST_OUT);
            case "ln2" -> block(layer, HookSite.LN2_SCALE, HookSite.LN2_NORMALIZED, HookSite.LN2_OUT);
            case "ln2_post" -> block(layer, HookSite.LN2_POST_SCALE, HookSite.LN2_POST_NORMALIZED, HookSite.LN2_POST_OUT);
            case "attn.q_norm" -> block(layer, HookSite.ATTN_Q_NORM_SCALE, HookSite.ATTN_Q_NORM_NORMALIZED,
                    HookSite.ATTN_Q_NORM_OUT);
            case "attn.k_norm" -> block(layer, HookSite.ATTN_K_NORM_SCALE, HookSite.ATTN_K_NORM_NORMALIZED,
                    HookSite.ATTN_K_NORM_OUT);
            case "ln_final" -> new NormHooks(HookPoint.of(HookSite.LN_FINAL_SCALE),
                    HookPoint.of(HookSite.LN_FINAL_NORMALIZED), HookPoint.of(HookSite.LN_FINAL_OUT));
            default -> throw new IllegalArgumentException("'" + name + "' is not a norm (ln1, ln1_post, ln2, ln2_post, ln_final, attn.q_norm, attn.k_norm)");
        };
    }

    private static NormHooks block(int layer, HookSite scale, HookSite normalized, HookSite out) {
        return new NormHooks(HookPoint.of(layer, scale), HookPoint.of(layer, normalized), HookPoint.of(layer, out));
    }
}
