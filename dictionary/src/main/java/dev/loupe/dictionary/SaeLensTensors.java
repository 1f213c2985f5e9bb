package dev.loupe.dictionary;

import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.InputNormalization;
import dev.loupe.api.intervention.SparseActivation;
import dev.loupe.api.intervention.SpliceFunction;

/**
 * One SAELens folder's tensors under their SAELens names, and the {@link SpliceFunction.SparseMlp} they mean: the
 * bias convention made explicit (SAELens's b_dec is the output bias; with {@code apply_b_dec_to_input} it also centres
 * the input), W_skip transposed from SAELens's [d_out, d_in], an {@code expected_average_only_in} factor folded in
 * as SAELens's {@code fold_activation_norm_scaling_factor} does (W_enc·s, W_dec/s, b_dec/s).
 *
 * @param bEnc    b_enc, or b_gate for a gated SAE
 * @param bDecOut Loupe's older layout's output bias, else null
 */
record SaeLensTensors(SaeLensArchitecture arch, Tensor wEnc, Tensor bEnc, Tensor wDec, Tensor bDec, Tensor bDecOut,
                      Tensor threshold, Tensor rMag, Tensor bMag, Tensor wSkip) {
    SpliceFunction.SparseMlp mlp(TranscoderCfg c) {
        SparseActivation activation = switch (arch) {
            case JUMPRELU, JUMPRELU_TRANSCODER -> new SparseActivation.JumpRelu(threshold);
            case TOPK -> new SparseActivation.TopK(c.k());
            case GATED -> new SparseActivation.Gated(rMag, bMag);
            case STANDARD, TRANSCODER, SKIP_TRANSCODER -> new SparseActivation.Relu();
        };
        float s = (float) c.normScale();
        Tensor we = s == 1f ? wEnc : wEnc.scale(s);
        Tensor wd = s == 1f ? wDec : wDec.scale(1 / s);
        Tensor bd = s == 1f ? bDec : bDec.scale(1 / s);
        Tensor centre;
        Tensor out;
        if (bDecOut != null) {
            centre = bd;
            out = bDecOut;
        } else if (arch.sae) {
            centre = c.saeLensBias() ? Tensor.zeros(c.dIn()) : bd;
            out = bd;
        } else {
            centre = Tensor.zeros(c.dIn());
            out = bd;
        }
        Tensor skip = wSkip == null ? null : wSkip.transpose();
        InputNormalization n = c.normalization();
        return new SpliceFunction.SparseMlp(we, bEnc, wd, centre, out, activation, skip, n);
    }
}
