package dev.loupe.api;

/**
 * Where in the forward pass a hook fires, in forward order. A {@link HookPoint} is a site plus, for block
 * sites, a layer. Names follow TransformerLens: a norm's {@code hook_scale} is √(mean(x²) + eps) of its centred
 * (LayerNorm) input, {@code hook_normalized} is that input divided by the scale BEFORE gain and bias, and
 * {@code hook_out} (TransformerLens 3's name) is the norm's output, gain and bias applied.
 */
public enum HookSite {
    EMBED("hook_embed", false, ActivationShape.RESID),
    POS_EMBED("hook_pos_embed", false, ActivationShape.RESID),
    RESID_PRE("hook_resid_pre", true, ActivationShape.RESID),
    LN1_SCALE("ln1.hook_scale", true, ActivationShape.SCALE),
    LN1_NORMALIZED("ln1.hook_normalized", true, ActivationShape.RESID),
    LN1_OUT("ln1.hook_out", true, ActivationShape.RESID),
    ATTN_Q("attn.hook_q", true, ActivationShape.HEADS),
    ATTN_K("attn.hook_k", true, ActivationShape.KV_HEADS),
    ATTN_V("attn.hook_v", true, ActivationShape.KV_HEADS),
    ATTN_Q_NORM_SCALE("attn.q_norm.hook_scale", true, ActivationShape.HEAD_SCALE),
    ATTN_Q_NORM_NORMALIZED("attn.q_norm.hook_normalized", true, ActivationShape.HEADS),
    ATTN_Q_NORM_OUT("attn.q_norm.hook_out", true, ActivationShape.HEADS),
    ATTN_K_NORM_SCALE("attn.k_norm.hook_scale", true, ActivationShape.KV_HEAD_SCALE),
    ATTN_K_NORM_NORMALIZED("attn.k_norm.hook_normalized", true, ActivationShape.KV_HEADS),
    ATTN_K_NORM_OUT("attn.k_norm.hook_out", true, ActivationShape.KV_HEADS),
    ATTN_ROT_Q("attn.hook_rot_q", true, ActivationShape.HEADS),
    ATTN_ROT_K("attn.hook_rot_k", true, ActivationShape.KV_HEADS),
    ATTN_SCORES("attn.hook_attn_scores", true, ActivationShape.PATTERN),
    ATTN_PATTERN("attn.hook_pattern", true, ActivationShape.PATTERN),
    ATTN_Z("attn.hook_z", true, ActivationShape.HEADS),
    LN1_POST_SCALE("ln1_post.hook_scale", true, ActivationShape.SCALE),
    LN1_POST_NORMALIZED("ln1_post.hook_normalized", true, ActivationShape.RESID),
    LN1_POST_OUT("ln1_post.hook_out", true, ActivationShape.RESID),
    ATTN_OUT("hook_attn_out", true, ActivationShape.RESID),
    RESID_MID("hook_resid_mid", true, ActivationShape.RESID),
    LN2_SCALE("ln2.hook_scale", true, ActivationShape.SCALE),
    LN2_NORMALIZED("ln2.hook_normalized", true, ActivationShape.RESID),
    LN2_OUT("ln2.hook_out", true, ActivationShape.RESID),
    MLP_PRE("mlp.hook_pre", true, ActivationShape.MLP),
    MLP_PRE_LINEAR("mlp.hook_pre_linear", true, ActivationShape.MLP),
    MLP_POST("mlp.hook_post", true, ActivationShape.MLP),
    LN2_POST_SCALE("ln2_post.hook_scale", true, ActivationShape.SCALE),
    LN2_POST_NORMALIZED("ln2_post.hook_normalized", true, ActivationShape.RESID),
    LN2_POST_OUT("ln2_post.hook_out", true, ActivationShape.RESID),
    MLP_OUT("hook_mlp_out", true, ActivationShape.RESID),
    RESID_POST("hook_resid_post", true, ActivationShape.RESID),
    LN_FINAL_SCALE("ln_final.hook_scale", false, ActivationShape.SCALE),
    LN_FINAL_NORMALIZED("ln_final.hook_normalized", false, ActivationShape.RESID),
    LN_FINAL_OUT("ln_final.hook_out", false, ActivationShape.RESID);

    private final String suffix;
    private final boolean perBlock;
    private final ActivationShape shape;

    HookSite(String suffix, boolean perBlock, ActivationShape shape) {
        this.suffix = suffix;
        this.perBlock = perBlock;
        this.shape = shape;
    }

    /** The name after {@code blocks.{l}.} for block sites, or the whole name for global ones. */
    public String suffix() {
        return suffix;
    }

    public boolean perBlock() {
        return perBlock;
    }

    public ActivationShape shape() {
        return shape;
    }

    /** Layout of a hook's activation, as in TransformerLens. */
    public enum ActivationShape {
        /** [batch, pos, d_model]. */
        RESID,
        /** [batch, pos, d_mlp]. */
        MLP,
        /** [batch, pos, n_heads, d_head]. */
        HEADS,
        /** [batch, pos, n_kv_heads, d_head]. */
        KV_HEADS,
        /** [batch, n_heads, query_pos, key_pos]. */
        PATTERN,
        /** [batch, pos, 1]. */
        SCALE,
        /** A query norm's scale: [batch, pos, n_heads, 1] per head, [batch, pos, 1, 1] over the projection. */
        HEAD_SCALE,
        /** A key norm's scale: [batch, pos, n_kv_heads, 1] per head, [batch, pos, 1, 1] over the projection. */
        KV_HEAD_SCALE;

        /** The axis that indexes token positions (the query axis for patterns). */
        public int positionAxis() {
            return this == PATTERN ? 2 : 1;
        }
    }
}
