package dev.loupe.method.transcoder.circuit;

import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.LoupeException;
import dev.loupe.api.intervention.InputNormalization;
import dev.loupe.api.intervention.SpliceFunction;
import dev.loupe.api.Model;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.Weights;
import dev.loupe.dictionary.Transcoder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One prompt's run of the original model, cached, and the exact linear decomposition of a read-out f·r of the
 * residual stream r at (stream, token) into what wrote r: the token and position embeddings, each attention head
 * from each source token (pattern held at its value, v including b_V), each layer's b_O, and each MLP — as its
 * transcoder's active features z_i·W_dec[i], b_dec_out, its linear path from the input (a skip transcoder's
 * x W_skip, a layer-normalising one's mean shift) and the error mlp_out − ŷ where a transcoder is given, as one node
 * otherwise. LayerNorms, and a transcoder's own input normalisation, are crossed with their actual scale at that
 * token, so children's read-outs plus biases add up to the parent exactly.
 */
public final class Decomposition {
    /** A read-out to decompose: value = vector · resid[stream][position] + bias. */
    public record Readout(int stream, int position, float[] vector, double bias) {}

    /** One term of a decomposition; {@code child} is its own read-out where it can be decomposed further. */
    public record Term(CircuitGraph.Kind kind, int layer, int index, int position, double value, Readout child,
                       String label) {}

    private final Model model;
    private final ModelSpec spec;
    private final Weights w;
    private final Map<Integer, Transcoder> transcoders;
    private final int[] ids;
    private final RunResult run;

    public Decomposition(Model model, Map<Integer, Transcoder> transcoders, int[] ids) {
        model.spec().requireLinearReadout("The circuit decomposition");
        this.model = model;
        this.spec = model.spec();
        this.w = model.weights();
        this.transcoders = Map.copyOf(transcoders);
        this.ids = ids.clone();
        transcoders.forEach((l, t) -> {
            if (!t.hookIn().equals(HookPoint.of(l, HookSite.LN2_OUT))
                    || !t.hookOut().equals(HookPoint.of(l, HookSite.MLP_OUT))) {
                throw new LoupeException("circuits need transcoders from blocks.L.ln2.hook_out to "
                        + "blocks.L.hook_mlp_out; layer " + l + " has " + t.hookIn() + " -> " + t.hookOut());
            }
        });
        Set<HookPoint> hooks = new LinkedHashSet<>();
        hooks.add(HookPoint.of(HookSite.EMBED));
        if (spec.hookPoints().contains(HookPoint.of(HookSite.POS_EMBED))) {
            hooks.add(HookPoint.of(HookSite.POS_EMBED));
        }
        hooks.add(HookPoint.of(HookSite.LN_FINAL_SCALE));
        for (int l = 0; l < spec.nLayers(); l++) {
            for (HookSite s : List.of(HookSite.RESID_PRE, HookSite.RESID_MID, HookSite.RESID_POST, HookSite.LN1_SCALE,
                    HookSite.LN2_SCALE, HookSite.ATTN_PATTERN, HookSite.ATTN_V, HookSite.MLP_OUT,
                    HookSite.LN2_OUT)) {
                hooks.add(HookPoint.of(l, s));
            }
        }
        this.run = model.run(RunRequest.of(ids).withCache(hooks));
    }

    public int[] ids() {
        return ids.clone();
    }

    public Model model() {
        return model;
    }

    /** The cached residual stream at a stream index and token. */
    public float[] resid(int stream, int position) {
        int l = stream / 2;
        HookPoint h = stream == 2 * spec.nLayers() ? HookPoint.of(spec.nLayers() - 1, HookSite.RESID_POST)
                : HookPoint.of(l, stream % 2 == 0 ? HookSite.RESID_PRE : HookSite.RESID_MID);
        return row(h, position);
    }

    /** f·resid + bias. */
    public double value(Readout r) {
        return dot(r.vector(), resid(r.stream(), r.position())) + r.bias();
    }

    /** The read-out of a logit functional n (over the vocabulary) at a token, through the final LayerNorm. */
    public Readout logit(float[] n, int position) {
        float[] u = new float[spec.dModel()];
        float[] wu = w.get("W_U").toArray();
        int vocab = spec.dVocab();
        double bias = 0;
        float[] bu = w.names().contains("b_U") ? w.get("b_U").toArray() : new float[vocab];
        for (int v = 0; v < vocab; v++) {
            if (n[v] != 0) {
                for (int i = 0; i < u.length; i++) {
                    u[i] += n[v] * wu[i * vocab + v];
                }
                bias += n[v] * bu[v];
            }
        }
        return throughNorm(2 * spec.nLayers(), position, u, "ln_final", HookPoint.of(HookSite.LN_FINAL_SCALE), bias);
    }

    /** The read-out of transcoder feature i's pre-activation at a token (layer l). */
    public Readout feature(int layer, int i, int position) {
        Transcoder t = transcoder(layer);
        float[][] active = t.mlp().activeLinear(i);
        float[] col = active[0];
        double bias = active[1][0] - dot(col, t.bDec().toArray());
        InputScale n = inputScale(t, row(HookPoint.of(layer, HookSite.LN2_OUT), position));
        float[] v = new float[col.length];
        double mean = n.centre() ? java.util.Arrays.stream(toDoubles(col)).average().orElse(0) : 0;
        for (int k = 0; k < v.length; k++) {
            v[k] = (float) (n.in() * (col[k] - mean));
        }
        return throughNorm(2 * layer + 1, position, v, "blocks." + layer + ".ln2",
                HookPoint.of(layer, HookSite.LN2_SCALE), bias);
    }

    /**
     * A transcoder's input normalisation at one input x, held at its value: x̂ = in · (x − centred mean) and the
     * output y · out + shift, as {@link InputNormalization} defines them.
     */
    private record InputScale(double in, boolean centre, double out, double shift) {}

    private static InputScale inputScale(Transcoder t, float[] x) {
        return switch (t.mlp().normalization()) {
            case NONE -> new InputScale(1, false, 1, 0);
            case CONSTANT_NORM_RESCALE -> {
                double coeff = Math.sqrt(x.length) / Math.sqrt(dot(x, x));
                yield new InputScale(coeff, false, 1 / coeff, 0);
            }
            case LAYER_NORM -> {
                double mean = java.util.Arrays.stream(toDoubles(x)).average().orElse(0);
                double ss = 0;
                for (float v : x) {
                    ss += (v - mean) * (v - mean);
                }
                double std = Math.sqrt(ss / (x.length - 1));
                yield new InputScale(1 / (std + 1e-5), true, std, mean);
            }
        };
    }

    private static double[] toDoubles(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        return out;
    }

    /** Feature i's activation at a token, from the cached MLP input. */
    public double featureActivation(int layer, int i, int position) {
        return transcoder(layer).encode(row(HookPoint.of(layer, HookSite.LN2_OUT), position))[i];
    }

    /**
     * y·LN(r) + c for LN(r) = W ⊙ P r / σ + b at this token, as a read-out of r: vector P (W ⊙ y) / σ, bias b·y + c
     * (P centres for LayerNorm and is the identity for RMSNorm).
     */
    private Readout throughNorm(int stream, int position, float[] y, String norm, HookPoint scaleHook, double c) {
        float[] gain = w.get(norm + ".w").toArray();
        double sigma = run.activation(scaleHook).get(0, position, 0);
        float[] v = new float[y.length];
        double mean = 0;
        for (int i = 0; i < y.length; i++) {
            v[i] = (float) (gain[i] * y[i] / sigma);
            mean += v[i] / y.length;
        }
        if (spec.norm() == ModelSpec.NormKind.LAYER_NORM) {
            for (int i = 0; i < v.length; i++) {
                v[i] -= (float) mean;
            }
        }
        double bias = c;
        if (w.names().contains(norm + ".b")) {
            bias += dot(w.get(norm + ".b").toArray(), y);
        }
        return new Readout(stream, position, v, bias);
    }

    /** Every term writing into the read-out's residual stream; their values plus its bias equal its value. */
    public List<Term> terms(Readout r) {
        List<Term> out = new ArrayList<>();
        int t = r.position();
        float[] f = r.vector();
        float[] embed = row(HookPoint.of(HookSite.EMBED), t);
        if (spec.hookPoints().contains(HookPoint.of(HookSite.POS_EMBED))) {
            float[] pos = row(HookPoint.of(HookSite.POS_EMBED), t);
            for (int i = 0; i < embed.length; i++) {
                embed[i] += pos[i];
            }
        }
        out.add(new Term(CircuitGraph.Kind.EMBEDDING, -1, ids[t], t, dot(f, embed), null, "embed@" + t));
        for (int l = 0; 2 * l + 1 <= r.stream(); l++) {
            attention(l, r, out);
            if (2 * l + 2 <= r.stream()) {
                mlp(l, r, out);
            }
        }
        return out;
    }

    private void attention(int l, Readout r, List<Term> out) {
        int t = r.position();
        int group = spec.nHeads() / spec.nKvHeads();
        Tensor pattern = run.activation(HookPoint.of(l, HookSite.ATTN_PATTERN)).select(0);
        Tensor v = run.activation(HookPoint.of(l, HookSite.ATTN_V)).select(0);
        for (int h = 0; h < spec.nHeads(); h++) {
            float[] g = w.get("blocks." + l + ".attn.W_O").select(h).matVec(r.vector());
            float[] wvg = w.get("blocks." + l + ".attn.W_V").select(h / group).matVec(g);
            double bv = dot(w.get("blocks." + l + ".attn.b_V").select(h / group).toArray(), g);
            for (int s = 0; s <= t; s++) {
                double a = pattern.get(h, t, s);
                double value = a * dot(v.select(s).select(h / group).toArray(), g);
                float[] scaled = new float[wvg.length];
                for (int i = 0; i < scaled.length; i++) {
                    scaled[i] = (float) (a * wvg[i]);
                }
                Readout child = throughNorm(2 * l, s, scaled, "blocks." + l + ".ln1",
                        HookPoint.of(l, HookSite.LN1_SCALE), a * bv);
                out.add(new Term(CircuitGraph.Kind.ATTENTION_HEAD, l, h, s, value, child,
                        "L" + l + "H" + h + " " + s + "->" + t));
            }
        }
        if (w.names().contains("blocks." + l + ".attn.b_O")) {
            out.add(new Term(CircuitGraph.Kind.BIAS, l, -1, t, dot(w.get("blocks." + l + ".attn.b_O").toArray(),
                    r.vector()), null, "b_O L" + l));
        }
    }

    private void mlp(int l, Readout r, List<Term> out) {
        int t = r.position();
        float[] mlpOut = row(HookPoint.of(l, HookSite.MLP_OUT), t);
        Transcoder tc = transcoders.get(l);
        if (tc == null) {
            out.add(new Term(CircuitGraph.Kind.MLP, l, -1, t, dot(mlpOut, r.vector()), null, "MLP L" + l + "@" + t));
            return;
        }
        float[] x = row(HookPoint.of(l, HookSite.LN2_OUT), t);
        InputScale n = inputScale(tc, x);
        SpliceFunction.SparseMlp.Output full = tc.mlp().run(x);
        float[] z = full.features();
        float[] yHat = full.output();
        float[] wDec = tc.wDec().toArray();
        int d = tc.dOut();
        for (int i = 0; i < z.length; i++) {
            if (z[i] > 0) {
                double a = 0;
                for (int k = 0; k < d; k++) {
                    a += wDec[i * d + k] * r.vector()[k];
                }
                a *= n.out();
                Readout pre = feature(l, i, t);
                float[] scaled = new float[pre.vector().length];
                for (int k = 0; k < scaled.length; k++) {
                    scaled[k] = (float) (a * pre.vector()[k]);
                }
                out.add(new Term(CircuitGraph.Kind.FEATURE, l, i, t, z[i] * a,
                        new Readout(pre.stream(), t, scaled, a * pre.bias()), "F" + l + "." + i + "@" + t));
            }
        }
        out.add(new Term(CircuitGraph.Kind.BIAS, l, -1, t, n.out() * dot(tc.bDecOut().toArray(), r.vector()), null,
                "b_dec_out L" + l));
        linearPath(l, t, tc, n, x, r, out);
        double error = 0;
        for (int k = 0; k < d; k++) {
            error += (mlpOut[k] - yHat[k]) * r.vector()[k];
        }
        out.add(new Term(CircuitGraph.Kind.TRANSCODER_ERROR, l, -1, t, error, null, "error L" + l + "@" + t));
    }

    /**
     * What reaches the output from the input without the features: x W_skip, and for a layer-normalising transcoder
     * the mean it adds back to every output. Both are x · v for one v, expanded like a feature through ln2.
     */
    private void linearPath(int l, int t, Transcoder tc, InputScale n, float[] x, Readout r, List<Term> out) {
        Tensor skip = tc.mlp().wSkip();
        if (skip == null && !n.centre()) {
            return;
        }
        float[] v = skip == null ? new float[x.length] : skip.matVec(r.vector());
        if (n.centre()) {
            double each = java.util.Arrays.stream(toDoubles(r.vector())).sum() / x.length;
            for (int k = 0; k < v.length; k++) {
                v[k] += (float) each;
            }
        }
        Readout child = throughNorm(2 * l + 1, t, v, "blocks." + l + ".ln2", HookPoint.of(l, HookSite.LN2_SCALE), 0);
        out.add(new Term(CircuitGraph.Kind.SKIP, l, -1, t, dot(v, x), child, "skip L" + l + "@" + t));
    }

    private Transcoder transcoder(int layer) {
        Transcoder t = transcoders.get(layer);
        if (t == null) {
            throw new LoupeException("no transcoder for layer " + layer + " (have " + transcoders.keySet() + ")");
        }
        return t;
    }

    private float[] row(HookPoint h, int position) {
        return run.activation(h).select(0).select(position).toArray();
    }


    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
