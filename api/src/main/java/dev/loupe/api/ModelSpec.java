package dev.loupe.api;

import java.util.ArrayList;
import java.util.List;

/**
 * The shape of a decoder-only transformer: everything an engine needs besides the weights.
 *
 * @param architecture    family name, e.g. {@code gpt2}, {@code gpt_neox}, {@code llama}
 * @param nLayers         number of blocks
 * @param dModel          residual stream width
 * @param nHeads          query heads per block
 * @param nKvHeads        key/value heads per block (fewer than {@code nHeads} with grouped-query attention)
 * @param dHead           width of one head
 * @param dMlp            hidden width of the MLP
 * @param dVocab          vocabulary size
 * @param nCtx            maximum context length
 * @param norm            LayerNorm or RMSNorm
 * @param normEps         epsilon added to the variance
 * @param positional      learned absolute embeddings or rotary
 * @param rotaryDim       number of leading head dimensions that are rotated (rotary only)
 * @param rotaryBase      rotary theta (rotary only)
 * @param activation      MLP non-linearity
 * @param gatedMlp        {@code act(x W_gate) * (x W_in)} instead of {@code act(x W_in)}
 * @param parallelAttnMlp attention and MLP both read {@code hook_resid_pre} (GPT-J / NeoX style)
 * @param tiedEmbeddings  the unembedding is the transposed embedding in the checkpoint
 * @param features        the variants beyond the common core ({@link ArchitectureFeatures#NONE} for none)
 */
public record ModelSpec(
        String architecture,
        int nLayers,
        int dModel,
        int nHeads,
        int nKvHeads,
        int dHead,
        int dMlp,
        int dVocab,
        int nCtx,
        NormKind norm,
        double normEps,
        PositionalKind positional,
        int rotaryDim,
        double rotaryBase,
        Activation activation,
        boolean gatedMlp,
        boolean parallelAttnMlp,
        boolean tiedEmbeddings,
        ArchitectureFeatures features) {

    /** Layer normalisation used in every block and at the end. */
    public enum NormKind { LAYER_NORM, RMS_NORM }

    /** How positions enter the model. */
    public enum PositionalKind { LEARNED, ROTARY }

    /** MLP non-linearity. {@code GELU} is the exact erf form; {@code GELU_TANH} is GPT-2's "gelu_new". */
    public enum Activation { GELU, GELU_TANH, RELU, SILU }

    /** A spec of the common core, without {@link ArchitectureFeatures}. */
    public ModelSpec(String architecture, int nLayers, int dModel, int nHeads, int nKvHeads, int dHead, int dMlp,
                     int dVocab, int nCtx, NormKind norm, double normEps, PositionalKind positional, int rotaryDim,
                     double rotaryBase, Activation activation, boolean gatedMlp, boolean parallelAttnMlp,
                     boolean tiedEmbeddings) {
        this(architecture, nLayers, dModel, nHeads, nKvHeads, dHead, dMlp, dVocab, nCtx, norm, normEps, positional,
                rotaryDim, rotaryBase, activation, gatedMlp, parallelAttnMlp, tiedEmbeddings, ArchitectureFeatures.NONE);
    }

    public ModelSpec {
        features = features == null ? ArchitectureFeatures.NONE : features;
        if (architecture == null || norm == null || positional == null || activation == null) {
            throw new IllegalArgumentException("architecture, norm, positional and activation are required, got "
                    + architecture + ", " + norm + ", " + positional + ", " + activation);
        }
        if (!(normEps > 0) || !Double.isFinite(normEps)) {
            throw new IllegalArgumentException("norm eps must be a positive number, got " + normEps);
        }
        if (positional == PositionalKind.ROTARY && !(rotaryBase > 0 && Double.isFinite(rotaryBase))) {
            throw new IllegalArgumentException("rotary base must be a positive number, got " + rotaryBase);
        }
        if (!features.slidingWindows().isEmpty() && features.slidingWindows().size() != nLayers) {
            throw new IllegalArgumentException(features.slidingWindows().size() + " sliding windows for " + nLayers
                    + " layers");
        }
        if (features.interleavedRotary() && positional != PositionalKind.ROTARY) {
            throw new IllegalArgumentException("interleaved rotary needs rotary positions");
        }
        requirePositive("n_layers", nLayers);
        requirePositive("d_model", dModel);
        requirePositive("n_heads", nHeads);
        requirePositive("n_kv_heads", nKvHeads);
        requirePositive("d_head", dHead);
        requirePositive("d_mlp", dMlp);
        requirePositive("d_vocab", dVocab);
        requirePositive("n_ctx", nCtx);
        if (nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException("n_heads " + nHeads + " is not a multiple of n_kv_heads " + nKvHeads);
        }
        if (positional == PositionalKind.ROTARY && (rotaryDim <= 0 || rotaryDim > dHead || rotaryDim % 2 != 0)) {
            throw new IllegalArgumentException("rotary_dim " + rotaryDim + " must be even and in (0, d_head=" + dHead + "]");
        }
    }

    /** The same spec with other features. */
    public ModelSpec withFeatures(ArchitectureFeatures f) {
        return new ModelSpec(architecture, nLayers, dModel, nHeads, nKvHeads, dHead, dMlp, dVocab, nCtx, norm, normEps,
                positional, rotaryDim, rotaryBase, activation, gatedMlp, parallelAttnMlp, tiedEmbeddings, f);
    }

    /** The same spec with {@code layers} blocks (sliding windows cut or repeated in their pattern). */
    public ModelSpec withLayers(int layers) {
        ArchitectureFeatures f = features;
        if (!f.slidingWindows().isEmpty()) {
            List<Integer> w = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                w.add(f.slidingWindows().get(l % nLayers));
            }
            f = f.toBuilder().slidingWindows(w).build();
        }
        return new ModelSpec(architecture, layers, dModel, nHeads, nKvHeads, dHead, dMlp, dVocab, nCtx, norm, normEps,
                positional, rotaryDim, rotaryBase, activation, gatedMlp, parallelAttnMlp, tiedEmbeddings, f);
    }

    /**
     * The rotary inverse frequencies of {@code layer} (r/2 of them, float32): the local base and scaling on
     * sliding-window layers, the global ones elsewhere.
     */
    public float[] inverseFrequencies(int layer) {
        boolean local = features.slidingWindow(layer) > 0;
        double base = local && features.localRotaryBase() > 0 ? features.localRotaryBase() : rotaryBase;
        RopeScaling scaling = local && features.localRotaryBase() > 0 ? features.localRopeScaling() : features.ropeScaling();
        return scaling.inverseFrequencies(base, rotaryDim);
    }

    /** Whether every layer uses the same rotary frequencies. */
    public boolean sharedRotary() {
        return features.localRotaryBase() == 0 || !features.hasSlidingWindows();
    }

    /** What layer {@code layer}'s attention scores are multiplied by before any soft-cap and the mask. */
    public double attentionScale(int layer) {
        double s = features.attentionScale() > 0 ? features.attentionScale() : 1 / Math.sqrt(dHead);
        return features.scaleByInverseLayer() ? s / (layer + 1) : s;
    }

    private static void requirePositive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + v);
        }
    }

    /** Every hook point this model fires, in forward order. */
    public List<HookPoint> hookPoints() {
        List<HookPoint> out = new ArrayList<>();
        for (HookSite s : HookSite.values()) {
            if (!s.perBlock() && has(s)) {
                out.add(HookPoint.of(s));
            }
        }
        List<HookPoint> blocks = new ArrayList<>();
        for (int l = 0; l < nLayers; l++) {
            for (HookSite s : HookSite.values()) {
                if (s.perBlock() && has(s)) {
                    blocks.add(HookPoint.of(l, s));
                }
            }
        }
        out.addAll(out.indexOf(HookPoint.of(HookSite.LN_FINAL_SCALE)), blocks);
        return out;
    }

    /** Whether this architecture fires hooks at {@code site}. */
    public boolean has(HookSite site) {
        return switch (site) {
            case POS_EMBED -> positional == PositionalKind.LEARNED;
            case ATTN_ROT_Q, ATTN_ROT_K -> positional == PositionalKind.ROTARY;
            case ATTN_Q_NORM_SCALE, ATTN_Q_NORM_NORMALIZED, ATTN_Q_NORM_OUT, ATTN_K_NORM_SCALE, ATTN_K_NORM_NORMALIZED,
                 ATTN_K_NORM_OUT -> features.qkNorm() != ArchitectureFeatures.QkNorm.NONE;
            case RESID_MID -> !parallelAttnMlp;
            case MLP_PRE_LINEAR -> gatedMlp;
            case LN1_SCALE, LN1_NORMALIZED, LN1_OUT, LN2_SCALE, LN2_NORMALIZED, LN2_OUT ->
                    features.normPlacement().hasPre();
            case LN1_POST_SCALE, LN1_POST_NORMALIZED, LN1_POST_OUT, LN2_POST_SCALE, LN2_POST_NORMALIZED, LN2_POST_OUT ->
                    features.normPlacement().hasPost();
            default -> true;
        };
    }

    /**
     * Throws a one-line error when {@code analysis} (a weights-only method) would give wrong numbers on this
     * architecture: see {@link ArchitectureFeatures#linearReadoutBlockers()}.
     */
    public void requireLinearReadout(String analysis) {
        List<String> blockers = features.linearReadoutBlockers();
        if (!blockers.isEmpty()) {
            throw new LoupeException(analysis + " reads the model's weights as linear maps, which a " + architecture
                    + " model does not allow: " + String.join(", ", blockers));
        }
    }

    /** Throws a one-line error unless this model fires {@code hook}. */
    public HookPoint requireHook(HookPoint hook) {
        if (hook.site().perBlock() && hook.layer() >= nLayers) {
            throw new LoupeException("hook '" + hook + "': layer " + hook.layer()
                    + " does not exist (the model has layers 0.." + (nLayers - 1) + ")");
        }
        if (!has(hook.site())) {
            throw new LoupeException("hook '" + hook + "' does not fire in a " + architecture + " model");
        }
        return hook;
    }

    /** The activation shape at {@code hook} for a batch of {@code batch} sequences of {@code pos} tokens. */
    public int[] shapeOf(HookPoint hook, int batch, int pos) {
        return switch (hook.site().shape()) {
            case RESID -> new int[] {batch, pos, dModel};
            case MLP -> new int[] {batch, pos, dMlp};
            case HEADS -> new int[] {batch, pos, nHeads, dHead};
            case KV_HEADS -> new int[] {batch, pos, nKvHeads, dHead};
            case PATTERN -> new int[] {batch, nHeads, pos, pos};
            case SCALE -> new int[] {batch, pos, 1};
            case HEAD_SCALE -> new int[] {batch, pos, perHeadQkNorm() ? nHeads : 1, 1};
            case KV_HEAD_SCALE -> new int[] {batch, pos, perHeadQkNorm() ? nKvHeads : 1, 1};
        };
    }

    private boolean perHeadQkNorm() {
        return features.qkNorm() == ArchitectureFeatures.QkNorm.PER_HEAD;
    }
}
