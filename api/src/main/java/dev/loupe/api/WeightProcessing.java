package dev.loupe.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TransformerLens's weight processing ({@code HookedTransformer.from_pretrained}'s defaults), on weights under
 * TransformerLens names, in its order:
 * <ol>
 * <li><b>fold_ln</b>: each pre-norm's gain w and bias b move into the weights that read it: W ← diag(w) W,
 *     b_reader ← b_reader + b·W; for LayerNorm the readers are then centred over d_model (the normalised input
 *     has zero mean, so their mean component reads nothing). The norms keep gain 1 and no bias (TransformerLens's
 *     LNPre / RMSNormPre).</li>
 * <li><b>center_writing_weights</b> (LayerNorm models): W_E, W_pos, W_O, b_O, W_out and b_out lose their mean over
 *     d_model, so the residual stream is centred; every reader is a LayerNorm, which removes the mean anyway.</li>
 * <li><b>center_unembed</b>: W_U and b_U lose their mean over the vocabulary; logits shift by a constant per
 *     position, which softmax ignores.</li>
 * <li><b>fold_value_biases</b>: b_V moves into b_O (b_O ← b_O + Σ_h b_V[h] W_O[h]), exact because each pattern row
 *     sums to 1.</li>
 * </ol>
 * Refused (one line) where an identity fails: norms after sublayers and a final-logit soft-cap.
 */
public final class WeightProcessing {
    private WeightProcessing() {}

    /** The processed weights of {@code spec} (the input map is not changed). */
    public static Map<String, Tensor> transformerLens(ModelSpec spec, Map<String, Tensor> weights) {
        ArchitectureFeatures f = spec.features();
        if (f.normPlacement().hasPost() || f.finalSoftcap() > 0) {
            throw new LoupeException("TransformerLens weight processing is not exact on a " + spec.architecture()
                    + " model (" + String.join(", ", f.linearReadoutBlockers()) + "); load it without --processing");
        }
        Map<String, Tensor> w = new LinkedHashMap<>(weights);
        boolean layerNorm = spec.norm() == ModelSpec.NormKind.LAYER_NORM;
        for (int l = 0; l < spec.nLayers(); l++) {
            String p = "blocks." + l + ".";
            fold(spec, w, p + "ln1", layerNorm, p + "attn.W_Q", p + "attn.b_Q", p + "attn.W_K", p + "attn.b_K",
                    p + "attn.W_V", p + "attn.b_V");
            if (spec.gatedMlp()) {
                fold(spec, w, p + "ln2", layerNorm, p + "mlp.W_in", p + "mlp.b_in", p + "mlp.W_gate", p + "mlp.b_gate");
            } else {
                fold(spec, w, p + "ln2", layerNorm, p + "mlp.W_in", p + "mlp.b_in");
            }
        }
        fold(spec, w, "ln_final", layerNorm, "W_U", "b_U");
        if (layerNorm) {
            centreLastAxis(w, "W_E");
            centreLastAxis(w, "W_pos");
            for (int l = 0; l < spec.nLayers(); l++) {
                for (String n : new String[] {"attn.W_O", "attn.b_O", "mlp.W_out", "mlp.b_out"}) {
                    centreLastAxis(w, "blocks." + l + "." + n);
                }
            }
        }
        centreLastAxis(w, "W_U");
        centreLastAxis(w, "b_U");
        for (int l = 0; l < spec.nLayers(); l++) {
            foldValueBias(spec, w, "blocks." + l + ".attn.");
        }
        return w;
    }

    /** Folds norm {@code ln} into each (weight, bias) pair of readers [..., d_model, out]. */
    private static void fold(ModelSpec spec, Map<String, Tensor> w, String ln, boolean centre, String... readers) {
        Tensor gain = w.get(ln + ".w");
        Tensor bias = w.remove(ln + ".b");
        int d = spec.dModel();
        for (int i = 0; i < readers.length; i += 2) {
            Tensor weight = w.get(readers[i]);
            int[] shape = weight.shape();
            int out = shape[shape.length - 1];
            int groups = weight.numel() / (d * out);
            float[] a = weight.toArray();
            float[] g = gain.toArray();
            float[] b = bias == null ? null : bias.toArray();
            int[] biasShape = WeightNames.shape(spec, readers[i + 1]);
            Tensor oldBias = w.get(readers[i + 1]);
            float[] nb = oldBias == null ? new float[groups * out] : oldBias.toArray();
            for (int grp = 0; grp < groups; grp++) {
                for (int o = 0; o < out; o++) {
                    double shift = 0;
                    double mean = 0;
                    for (int k = 0; k < d; k++) {
                        int idx = (grp * d + k) * out + o;
                        if (b != null) {
                            shift += b[k] * a[idx];
                        }
                        a[idx] *= g[k];
                        mean += a[idx];
                    }
                    nb[grp * out + o] += (float) shift;
                    if (centre) {
                        float m = (float) (mean / d);
                        for (int k = 0; k < d; k++) {
                            a[(grp * d + k) * out + o] -= m;
                        }
                    }
                }
            }
            w.put(readers[i], Tensor.of(a, shape));
            if (b != null || oldBias != null) {
                w.put(readers[i + 1], Tensor.of(nb, biasShape));
            }
        }
        float[] ones = new float[d];
        java.util.Arrays.fill(ones, 1f);
        w.put(ln + ".w", Tensor.of(ones, d));
    }

    private static void centreLastAxis(Map<String, Tensor> w, String name) {
        Tensor t = w.get(name);
        if (t == null) {
            return;
        }
        int n = t.size(t.rank() - 1);
        float[] a = t.toArray();
        for (int row = 0; row < a.length / n; row++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += a[row * n + i];
            }
            float m = (float) (mean / n);
            for (int i = 0; i < n; i++) {
                a[row * n + i] -= m;
            }
        }
        w.put(name, Tensor.of(a, t.shape()));
    }

    private static void foldValueBias(ModelSpec spec, Map<String, Tensor> w, String attn) {
        Tensor bV = w.remove(attn + "b_V");
        if (bV == null) {
            return;
        }
        int h = spec.nHeads(), dh = spec.dHead(), d = spec.dModel(), group = h / spec.nKvHeads();
        float[] v = bV.toArray();
        float[] o = w.get(attn + "W_O").toArray();
        Tensor bO = w.get(attn + "b_O");
        float[] out = bO == null ? new float[d] : bO.toArray();
        for (int head = 0; head < h; head++) {
            int kv = head / group;
            for (int j = 0; j < dh; j++) {
                float vj = v[kv * dh + j];
                for (int k = 0; k < d; k++) {
                    out[k] += vj * o[(head * dh + j) * d + k];
                }
            }
        }
        w.put(attn + "b_O", Tensor.of(out, d));
    }
}
