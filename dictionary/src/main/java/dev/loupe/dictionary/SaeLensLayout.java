package dev.loupe.dictionary;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.InputNormalization;
import dev.loupe.api.intervention.SparseActivation;
import dev.loupe.api.intervention.SpliceFunction;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a {@link Transcoder} is laid out as SAELens saves it: the architecture, {@code apply_b_dec_to_input}, the
 * normalisation, TopK's k and the state dict under SAELens's names. One hook whose input centre is zero or equals its
 * output bias is an SAE ({@code standard}, {@code jumprelu}, {@code topk}, {@code gated}); anything else is a
 * transcoder in SAELens's convention ({@link Transcoder#saeLensForm}: {@code transcoder}, {@code skip_transcoder}
 * with W_skip as [d_out, d_in], {@code jumprelu_transcoder}). What SAELens has no class for is refused by name.
 */
record SaeLensLayout(SaeLensArchitecture arch, boolean applyBDecToInput, String normalization, int k,
                     Map<String, Tensor> tensors) {
    static SaeLensLayout of(Transcoder t) {
        SpliceFunction.SparseMlp m = t.mlp();
        boolean centreZero = Transcoder.isZero(m.bDec());
        if (t.hookIn().equals(t.hookOut()) && t.dIn() == t.dOut() && m.wSkip() == null
                && (centreZero || m.bDec().equals(m.bDecOut()))) {
            return sae(m, !centreZero);
        }
        if (m.normalization() != InputNormalization.NONE) {
            throw refused(t, "input normalization " + m.normalization() + " on a transcoder (SAELens's Transcoder "
                    + "never undoes it on the output)");
        }
        SpliceFunction.SparseMlp f = t.saeLensForm().mlp();
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("W_enc", f.wEnc());
        w.put("b_enc", f.bEnc());
        w.put("W_dec", f.wDec());
        w.put("b_dec", f.bDecOut());
        SaeLensArchitecture arch;
        if (f.activation() instanceof SparseActivation.Relu) {
            arch = f.wSkip() == null ? SaeLensArchitecture.TRANSCODER : SaeLensArchitecture.SKIP_TRANSCODER;
        } else if (f.activation() instanceof SparseActivation.JumpRelu j && f.wSkip() == null) {
            arch = SaeLensArchitecture.JUMPRELU_TRANSCODER;
            w.put("threshold", j.threshold());
        } else {
            throw refused(t, f.activation().getClass().getSimpleName() + (f.wSkip() != null ? " with W_skip" : "")
                    + " as a transcoder (SAELens has transcoder, skip_transcoder and jumprelu_transcoder)");
        }
        if (f.wSkip() != null) {
            w.put("W_skip", f.wSkip().transpose());
        }
        return new SaeLensLayout(arch, false, "none", 0, w);
    }

    private static SaeLensLayout sae(SpliceFunction.SparseMlp m, boolean apply) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("W_enc", m.wEnc());
        SaeLensArchitecture arch = switch (m.activation()) {
            case SparseActivation.Relu r -> SaeLensArchitecture.STANDARD;
            case SparseActivation.JumpRelu j -> SaeLensArchitecture.JUMPRELU;
            case SparseActivation.TopK k -> SaeLensArchitecture.TOPK;
            case SparseActivation.Gated g -> SaeLensArchitecture.GATED;
        };
        w.put(arch == SaeLensArchitecture.GATED ? "b_gate" : "b_enc", m.bEnc());
        w.put("W_dec", m.wDec());
        w.put("b_dec", m.bDecOut());
        int k = 0;
        switch (m.activation()) {
            case SparseActivation.JumpRelu j -> w.put("threshold", j.threshold());
            case SparseActivation.Gated g -> {
                w.put("r_mag", g.rMag());
                w.put("b_mag", g.bMag());
            }
            case SparseActivation.TopK t -> k = t.k();
            case SparseActivation.Relu r -> { }
        }
        String norm = switch (m.normalization()) {
            case NONE -> "none";
            case CONSTANT_NORM_RESCALE -> "constant_norm_rescale";
            case LAYER_NORM -> "layer_norm";
        };
        return new SaeLensLayout(arch, apply, norm, k, w);
    }

    private static LoupeException refused(Transcoder t, String what) {
        return new LoupeException("cannot write " + t.hookIn() + " -> " + t.hookOut() + " in SAELens's layout: "
                + what);
    }
}
