package dev.loupe.api;

import java.util.ArrayList;
import java.util.List;

/**
 * The architecture variants a {@link ModelSpec} may carry beyond the common core (pre-norm blocks, causal attention
 * scaled by 1/√d_head, rotate-half rotary). Every field's zero value (0, false, null, empty) means "the common core",
 * so {@link #NONE} is all zeros and a spec written before a field existed reads back unchanged. Build one with
 * {@link #builder()}.
 *
 * @param slidingWindows      per layer, the number of keys a query sees (itself and the w − 1 before it); 0 or an
 *                            empty list means global attention
 * @param ropeScaling         rotary frequency scaling on global layers
 * @param localRotaryBase     rotary theta on sliding-window layers (0: the spec's rotary base)
 * @param localRopeScaling    rotary frequency scaling on sliding-window layers
 * @param interleavedRotary   rotary pairs dimensions (2i, 2i+1) (GPT-J) instead of (i, i + r/2)
 * @param attentionScale      what scores are multiplied by (0: 1/√d_head; GPT-Neo uses 1, Gemma query_pre_attn_scalar^−½)
 * @param scaleByInverseLayer scores are also divided by layer + 1 (GPT-2's scale_attn_by_inverse_layer_idx)
 * @param attentionSoftcap    scores become c·tanh(scores / c) before the mask (0: none)
 * @param finalSoftcap        logits become c·tanh(logits / c) (0: none)
 * @param embeddingMultiplier the token embedding is multiplied by this before it enters the residual stream (0: 1)
 * @param qkNorm              RMSNorm on queries and keys before the rotary embedding
 * @param normPlacement       where the block's two norms sit
 */
public record ArchitectureFeatures(
        List<Integer> slidingWindows,
        RopeScaling ropeScaling,
        double localRotaryBase,
        RopeScaling localRopeScaling,
        boolean interleavedRotary,
        double attentionScale,
        boolean scaleByInverseLayer,
        double attentionSoftcap,
        double finalSoftcap,
        double embeddingMultiplier,
        QkNorm qkNorm,
        NormPlacement normPlacement) {

    /** The common core: no variant. */
    public static final ArchitectureFeatures NONE = builder().build();

    /** Queries and keys normalised (RMSNorm, the model's eps) after projection and before rotation. */
    public enum QkNorm {
        /** No q/k norm. */
        NONE,
        /** Over each head's d_head dimensions (Qwen3, Gemma 3); gains [d_head]. */
        PER_HEAD,
        /** Over the whole projection, all heads together (OLMo-2); gains [heads · d_head]. */
        PROJECTION
    }

    /** Where the norms of a block sit relative to its two sublayers. */
    public enum NormPlacement {
        /** ln1 and ln2 normalise each sublayer's input (GPT-2, Llama). */
        PRE,
        /** No input norms; ln1_post and ln2_post normalise each sublayer's output before it is added (OLMo-2). */
        POST,
        /** Both: input norms and output norms around each sublayer (Gemma 2, Gemma 3). */
        PRE_AND_POST;

        public boolean hasPre() {
            return this != POST;
        }

        public boolean hasPost() {
            return this != PRE;
        }
    }

    public ArchitectureFeatures {
        slidingWindows = slidingWindows == null ? List.of() : List.copyOf(slidingWindows);
        ropeScaling = ropeScaling == null ? RopeScaling.NONE : ropeScaling;
        localRopeScaling = localRopeScaling == null ? RopeScaling.NONE : localRopeScaling;
        qkNorm = qkNorm == null ? QkNorm.NONE : qkNorm;
        normPlacement = normPlacement == null ? NormPlacement.PRE : normPlacement;
        for (int w : slidingWindows) {
            if (w < 0) {
                throw new IllegalArgumentException("sliding window " + w + " must be positive (or 0 for global)");
            }
        }
        requireFinite("local rotary base", localRotaryBase);
        requireFinite("attention scale", attentionScale);
        requireFinite("attention soft-cap", attentionSoftcap);
        requireFinite("final soft-cap", finalSoftcap);
        requireFinite("embedding multiplier", embeddingMultiplier);
    }

    private static void requireFinite(String what, double v) {
        if (!Double.isFinite(v) || v < 0) {
            throw new IllegalArgumentException(what + " must be a finite number >= 0, got " + v);
        }
    }

    /** The sliding window of {@code layer}, 0 for global attention. */
    public int slidingWindow(int layer) {
        return slidingWindows.isEmpty() ? 0 : slidingWindows.get(layer);
    }

    /** Whether any layer attends through a sliding window. */
    public boolean hasSlidingWindows() {
        return slidingWindows.stream().anyMatch(w -> w > 0);
    }

    /**
     * The features that break the linear read-outs of weights-only analyses (per-head OV decompositions of
     * {@code hook_attn_out}, de-embeddings, observables on logits): norms after sublayers, a final-logit soft-cap,
     * an embedding multiplier. Empty for the common core.
     */
    public List<String> linearReadoutBlockers() {
        List<String> out = new ArrayList<>();
        if (normPlacement.hasPost()) {
            out.add("norms after sublayers (" + normPlacement + ")");
        }
        if (finalSoftcap > 0) {
            out.add("final-logit soft-cap " + finalSoftcap);
        }
        if (embeddingScale() != 1) {
            out.add("embedding multiplier " + embeddingScale());
        }
        return out;
    }

    /** The embedding multiplier, 1 when none is set. */
    public double embeddingScale() {
        return embeddingMultiplier == 0 ? 1 : embeddingMultiplier;
    }

    /** A builder starting from these features. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder() {
        return new Builder(null);
    }

    /** Builds {@link ArchitectureFeatures}; every setter returns the builder. */
    public static final class Builder {
        private List<Integer> slidingWindows = new ArrayList<>();
        private RopeScaling ropeScaling;
        private double localRotaryBase;
        private RopeScaling localRopeScaling;
        private boolean interleavedRotary;
        private double attentionScale;
        private boolean scaleByInverseLayer;
        private double attentionSoftcap;
        private double finalSoftcap;
        private double embeddingMultiplier;
        private QkNorm qkNorm;
        private NormPlacement normPlacement;

        private Builder(ArchitectureFeatures f) {
            if (f != null) {
                slidingWindows = new ArrayList<>(f.slidingWindows);
                ropeScaling = f.ropeScaling;
                localRotaryBase = f.localRotaryBase;
                localRopeScaling = f.localRopeScaling;
                interleavedRotary = f.interleavedRotary;
                attentionScale = f.attentionScale;
                scaleByInverseLayer = f.scaleByInverseLayer;
                attentionSoftcap = f.attentionSoftcap;
                finalSoftcap = f.finalSoftcap;
                embeddingMultiplier = f.embeddingMultiplier;
                qkNorm = f.qkNorm;
                normPlacement = f.normPlacement;
            }
        }

        public Builder slidingWindows(List<Integer> v) { slidingWindows = new ArrayList<>(v); return this; }
        public Builder ropeScaling(RopeScaling v) { ropeScaling = v; return this; }
        public Builder localRotaryBase(double v) { localRotaryBase = v; return this; }
        public Builder localRopeScaling(RopeScaling v) { localRopeScaling = v; return this; }
        public Builder interleavedRotary(boolean v) { interleavedRotary = v; return this; }
        public Builder attentionScale(double v) { attentionScale = v; return this; }
        public Builder scaleByInverseLayer(boolean v) { scaleByInverseLayer = v; return this; }
        public Builder attentionSoftcap(double v) { attentionSoftcap = v; return this; }
        public Builder finalSoftcap(double v) { finalSoftcap = v; return this; }
        public Builder embeddingMultiplier(double v) { embeddingMultiplier = v; return this; }
        public Builder qkNorm(QkNorm v) { qkNorm = v; return this; }
        public Builder normPlacement(NormPlacement v) { normPlacement = v; return this; }

        public ArchitectureFeatures build() {
            return new ArchitectureFeatures(slidingWindows, ropeScaling, localRotaryBase, localRopeScaling,
                    interleavedRotary, attentionScale, scaleByInverseLayer, attentionSoftcap, finalSoftcap,
                    embeddingMultiplier, qkNorm, normPlacement);
        }
    }
}
