package dev.loupe.engine.onnx;

import static dev.loupe.api.HookSite.ATTN_K;
import static dev.loupe.api.HookSite.ATTN_OUT;
import static dev.loupe.api.HookSite.ATTN_PATTERN;
import static dev.loupe.api.HookSite.ATTN_Q;
import static dev.loupe.api.HookSite.ATTN_ROT_K;
import static dev.loupe.api.HookSite.ATTN_ROT_Q;
import static dev.loupe.api.HookSite.ATTN_SCORES;
import static dev.loupe.api.HookSite.ATTN_V;
import static dev.loupe.api.HookSite.ATTN_Z;
import static dev.loupe.api.HookSite.MLP_OUT;
import static dev.loupe.api.HookSite.MLP_POST;
import static dev.loupe.api.HookSite.MLP_PRE;
import static dev.loupe.api.HookSite.MLP_PRE_LINEAR;
import static dev.loupe.api.HookSite.RESID_MID;
import static dev.loupe.api.HookSite.RESID_POST;
import static dev.loupe.api.HookSite.RESID_PRE;

import dev.loupe.api.ArchitectureFeatures;
import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.NormHooks;
import dev.loupe.api.RunRequest.LogitsMode;
import dev.loupe.api.Tensor;
import dev.loupe.engine.onnx.GraphBuilder.Elem;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The transformer forward pass written as ONNX nodes, for every family the {@link ModelSpec} and its
 * {@link ArchitectureFeatures} describe (the same computation as engine-djl's, op for op): per-layer sliding-window
 * masks are built in the graph from {@code position_ids}, rotary tables once per distinct frequency set. Weights are initializers under their TransformerLens names and layouts;
 * the fused per-layer matrices are Transpose/Reshape nodes on them that ONNX Runtime folds at load. Every hook
 * point is an {@code Identity} whose output carries the hook's name, after {@link HookEdits} had its say.
 *
 * <p>Graph inputs: {@code input_ids} and {@code position_ids} (int64 [batch, pos]) and {@code attention_allowed}
 * (bool [batch, 1, pos, pos], key visible from query). Output: {@code logits} [batch, pos, vocab]; or, for
 * {@code LAST}, [batch, vocab] at the rows of the flattened [batch · pos] axis given by input {@code last_rows}
 * (int64 [batch]), so the unembedding runs only where it is read; {@code NONE} has no logits.
 *
 * <p>For generation ({@link Kv}): {@code PRESENT} also outputs each layer's keys and values after rotary and before
 * heads are shared ({@code present.L.k|v}, [batch, pos, kv_heads, d_head]); {@code STEP} takes them back as
 * {@code past.L.k|v} for the keys before this call, with {@code key_positions} (int64 [batch, keys]) and
 * {@code attention_allowed} [batch, 1, pos, keys] over past and new keys together.
 */
final class TransformerGraph {
    static final String INPUT_IDS = "input_ids";
    static final String POSITION_IDS = "position_ids";
    static final String ALLOWED = "attention_allowed";
    static final String LOGITS = "logits";
    static final String LAST_ROWS = "last_rows";
    static final String KEY_POSITIONS = "key_positions";

    /** What the graph does with the attention keys and values. */
    enum Kv {
        /** A plain forward. */
        NONE,
        /** A prefill: outputs every layer's keys and values. */
        PRESENT,
        /** A decoding step: reads the earlier keys and values, outputs them with this call's appended. */
        STEP;

        static String past(int layer, String kOrV) {
            return "past." + layer + "." + kOrV;
        }

        static String present(int layer, String kOrV) {
            return "present." + layer + "." + kOrV;
        }
    }

    /** What happens to an activation at a hook point before it is named; returns the tensor to carry on with. */
    interface HookEdits {
        String at(GraphBuilder g, HookPoint hook, String tensor);

        HookEdits NONE = (g, hook, tensor) -> tensor;
    }

    private final ModelSpec spec;
    private final Map<String, Tensor> weights;
    private final GraphBuilder g;
    private final HookEdits edits;
    private final LogitsMode logits;
    private final ArchitectureFeatures f;
    private final Kv kv;
    private final Map<Integer, String> masks = new HashMap<>();
    private final Map<String, Rotation> rotations = new HashMap<>();
    private String positions;
    private String keyPositions;
    private String allowed;

    private TransformerGraph(ModelSpec spec, Map<String, Tensor> weights, GraphBuilder g, HookEdits edits,
                             LogitsMode logits, Kv kv) {
        this.kv = kv;
        this.spec = spec;
        this.weights = weights;
        this.g = g;
        this.edits = edits;
        this.logits = logits;
        this.f = spec.features();
    }

    /**
     * Writes the forward pass into {@code g}: inputs, nodes and the {@code logits} output. The weights are the
     * caller's to add (as initializers named like the keys of {@code weights}); here they say which biases exist.
     */
    static void write(ModelSpec spec, Map<String, Tensor> weights, GraphBuilder g, HookEdits edits,
                      LogitsMode logits) {
        write(spec, weights, g, edits, logits, Kv.NONE);
    }

    static void write(ModelSpec spec, Map<String, Tensor> weights, GraphBuilder g, HookEdits edits,
                      LogitsMode logits, Kv kv) {
        new TransformerGraph(spec, weights, g, edits, logits, kv).forward();
    }

    private String hook(HookPoint h, String tensor) {
        return g.identity(h.name(), edits.at(g, h, tensor));
    }

    private String hook(int layer, HookSite site, String tensor) {
        return hook(HookPoint.of(layer, site), tensor);
    }

    private void forward() {
        String ids = g.input(INPUT_IDS, Elem.INT64, "batch", "pos");
        positions = g.input(POSITION_IDS, Elem.INT64, "batch", "pos");
        keyPositions = kv == Kv.STEP ? g.input(KEY_POSITIONS, Elem.INT64, "batch", "keys") : positions;
        allowed = g.input(ALLOWED, Elem.BOOL, "batch", 1, "pos", kv == Kv.STEP ? "keys" : "pos");
        String embed = g.op("Gather", "W_E", ids);
        if (f.embeddingScale() != 1) {
            embed = g.op("Mul", embed, g.scalar((float) f.embeddingScale()));
        }
        String x = hook(HookPoint.of(HookSite.EMBED), embed);
        if (spec.positional() == ModelSpec.PositionalKind.LEARNED) {
            x = g.op("Add", x, hook(HookPoint.of(HookSite.POS_EMBED), g.op("Gather", "W_pos", positions)));
        }
        for (int l = 0; l < spec.nLayers(); l++) {
            Rotation rotation = spec.positional() == ModelSpec.PositionalKind.ROTARY ? rotation(l) : null;
            x = block(l, x, mask(f.slidingWindow(l)), rotation);
        }
        x = norm(x, "ln_final", -1);
        if (logits == LogitsMode.NONE) {
            return;
        }
        if (logits == LogitsMode.LAST) {
            String rows = g.input(LAST_ROWS, Elem.INT64, "batch");
            x = g.op("Gather", Map.of("axis", 0), g.op("Reshape", x, g.longs(-1, spec.dModel())), rows);
        }
        g.opNamed(LOGITS, "Identity", Map.of(), softcap(addBias(g.op("MatMul", x, "W_U"), "b_U"), f.finalSoftcap()));
        g.output(LOGITS, Elem.FLOAT, logits == LogitsMode.LAST ? 2 : 3);
    }

    /** The attention mask of a layer: the input mask, narrowed to keys less than {@code window} positions back. */
    private String mask(int window) {
        if (window <= 0) {
            return allowed;
        }
        return masks.computeIfAbsent(window, w -> {
            String distance = g.op("Sub", g.op("Unsqueeze", positions, g.longs(2)),
                    g.op("Unsqueeze", keyPositions, g.longs(1)));
            String near = g.op("Less", distance, g.longs(w));
            return g.op("And", allowed, g.op("Unsqueeze", near, g.longs(1)));
        });
    }

    private String block(int l, String resid, String mask, Rotation rotation) {
        boolean pre = f.normPlacement().hasPre();
        boolean post = f.normPlacement().hasPost();
        resid = hook(l, RESID_PRE, resid);
        String attn = attention(l, pre ? norm(resid, "ln1", l) : resid, mask, rotation);
        String attnOut = hook(l, ATTN_OUT, post ? norm(attn, "ln1_post", l) : attn);
        String base = spec.parallelAttnMlp() ? resid : hook(l, RESID_MID, g.op("Add", resid, attnOut));
        String mlp = mlp(l, pre ? norm(base, "ln2", l) : base);
        String mlpOut = hook(l, MLP_OUT, post ? norm(mlp, "ln2_post", l) : mlp);
        String sum = spec.parallelAttnMlp() ? g.op("Add", g.op("Add", resid, attnOut), mlpOut) : g.op("Add", base, mlpOut);
        return hook(l, RESID_POST, sum);
    }

    /** The norm at hooks {@code name}.hook_scale, .hook_normalized (before gain and bias) and .hook_out. */
    private String norm(String x, String name, int layer) {
        NormHooks n = NormHooks.of(name, layer);
        String prefix = layer < 0 ? name : "blocks." + layer + "." + name;
        Map<String, Object> lastAxis = Map.of("axes", new long[] {-1}, "keepdims", 1);
        String centred = spec.norm() == ModelSpec.NormKind.LAYER_NORM
                ? g.op("Sub", x, g.op("ReduceMean", lastAxis, x)) : x;
        String variance = g.op("ReduceMean", lastAxis, g.op("Mul", centred, centred));
        String scale = hook(n.scale(), g.op("Sqrt", g.op("Add", variance, g.scalar((float) spec.normEps()))));
        String normalized = hook(n.normalized(), g.op("Div", centred, scale));
        return hook(n.out(), addBias(g.op("Mul", normalized, prefix + ".w"), prefix + ".b"));
    }

    /**
     * A q/k RMSNorm on [batch, pos, heads, d_head]: over d_head per head, or over the whole projection (its scale
     * then [batch, pos, 1, 1]), with the hooks of {@code name} ({@code attn.q_norm} or {@code attn.k_norm}).
     */
    private String qkNorm(int l, String x, String name) {
        NormHooks n = NormHooks.of(name, l);
        long[] axes = f.qkNorm() == ArchitectureFeatures.QkNorm.PER_HEAD ? new long[] {-1} : new long[] {-2, -1};
        String variance = g.op("ReduceMean", Map.of("axes", axes, "keepdims", 1), g.op("Mul", x, x));
        String scale = hook(n.scale(), g.op("Sqrt", g.op("Add", variance, g.scalar((float) spec.normEps()))));
        String normalized = hook(n.normalized(), g.op("Div", x, scale));
        String gain = "blocks." + l + "." + name + ".w";
        return hook(n.out(), g.op("Mul", normalized, g.op("Reshape", gain, g.longs(-1, spec.dHead()))));
    }

    private String softcap(String x, double cap) {
        if (cap <= 0) {
            return x;
        }
        return g.op("Mul", g.op("Tanh", g.op("Div", x, g.scalar((float) cap))), g.scalar((float) cap));
    }

    private String attention(int l, String x, String allowed, Rotation rotation) {
        int h = spec.nHeads();
        int kv = spec.nKvHeads();
        String q = hook(l, ATTN_Q, heads(project(x, l, "Q", h), h));
        String k = hook(l, ATTN_K, heads(project(x, l, "K", kv), kv));
        String v = hook(l, ATTN_V, heads(project(x, l, "V", kv), kv));
        if (f.qkNorm() != ArchitectureFeatures.QkNorm.NONE) {
            q = qkNorm(l, q, "attn.q_norm");
            k = qkNorm(l, k, "attn.k_norm");
        }
        if (rotation != null) {
            q = hook(l, ATTN_ROT_Q, rotation.apply(q));
            k = hook(l, ATTN_ROT_K, rotation.apply(k));
        }
        k = cached(l, "k", k);
        v = cached(l, "v", v);
        if (kv < h) {
            k = repeatHeads(k, kv, h / kv);
            v = repeatHeads(v, kv, h / kv);
        }
        String scores = softcap(g.op("Mul", g.op("MatMul", transpose(q, 0, 2, 1, 3), transpose(k, 0, 2, 3, 1)),
                g.scalar((float) spec.attentionScale(l))), f.attentionSoftcap());
        scores = hook(l, ATTN_SCORES, g.op("Where", allowed, scores, g.scalar(Float.NEGATIVE_INFINITY)));
        String pattern = hook(l, ATTN_PATTERN, g.op("Softmax", Map.of("axis", -1), scores));
        String z = hook(l, ATTN_Z, transpose(g.op("MatMul", pattern, transpose(v, 0, 2, 1, 3)), 0, 2, 1, 3));
        String wO = g.op("Reshape", "blocks." + l + ".attn.W_O", g.longs(-1, spec.dModel()));
        return addBias(g.op("MatMul", g.op("Reshape", z, g.longs(0, 0, -1)), wO), "blocks." + l + ".attn.b_O");
    }

    /** Keys or values [batch, pos, kv_heads, d_head] with the past ones before them, output for the next call. */
    private String cached(int l, String kOrV, String x) {
        if (kv == Kv.NONE) {
            return x;
        }
        if (kv == Kv.STEP) {
            String past = g.input(Kv.past(l, kOrV), Elem.FLOAT, "batch", "past", spec.nKvHeads(), spec.dHead());
            x = g.op("Concat", Map.of("axis", 1L), past, x);
        }
        String present = Kv.present(l, kOrV);
        g.opNamed(present, "Identity", Map.of(), x);
        g.output(present, Elem.FLOAT, 4);
        return present;
    }

    /** x [batch, pos, d_model] times W_{which} [heads, d_model, d_head] as one fused matmul, plus the bias. */
    private String project(String x, int l, String which, int heads) {
        String prefix = "blocks." + l + ".attn.";
        String fused = g.op("Reshape", transpose(prefix + "W_" + which, 1, 0, 2), g.longs(spec.dModel(), -1));
        String bias = prefix + "b_" + which;
        String out = g.op("MatMul", x, fused);
        return weights.containsKey(bias) ? g.op("Add", out, g.op("Reshape", bias, g.longs(-1))) : out;
    }

    private String heads(String x, int heads) {
        return g.op("Reshape", x, g.longs(0, 0, heads, spec.dHead()));
    }

    /** [batch, pos, kv, d_head] → [batch, pos, kv·r, d_head], each key/value head used by r consecutive heads. */
    private String repeatHeads(String x, int kv, int r) {
        String expanded = g.op("Expand", g.op("Unsqueeze", x, g.longs(3)), g.longs(1, 1, 1, r, 1));
        return g.op("Reshape", expanded, g.longs(0, 0, (long) kv * r, spec.dHead()));
    }

    private String mlp(int l, String x) {
        String prefix = "blocks." + l + ".mlp.";
        String post;
        if (spec.gatedMlp()) {
            String gate = hook(l, MLP_PRE, addBias(g.op("MatMul", x, prefix + "W_gate"), prefix + "b_gate"));
            String linear = hook(l, MLP_PRE_LINEAR, addBias(g.op("MatMul", x, prefix + "W_in"), prefix + "b_in"));
            post = g.op("Mul", activation(gate), linear);
        } else {
            post = activation(hook(l, MLP_PRE, addBias(g.op("MatMul", x, prefix + "W_in"), prefix + "b_in")));
        }
        post = hook(l, MLP_POST, post);
        return addBias(g.op("MatMul", post, prefix + "W_out"), prefix + "b_out");
    }

    private String activation(String x) {
        return switch (spec.activation()) {
            case GELU -> g.op("Mul", g.op("Mul", x, g.op("Add",
                    g.op("Erf", g.op("Div", x, g.scalar((float) Math.sqrt(2)))), g.scalar(1f))), g.scalar(0.5f));
            case GELU_TANH -> {
                String cube = g.op("Mul", g.op("Pow", x, g.scalar(3f)), g.scalar(0.044715f));
                String inner = g.op("Mul", g.op("Add", x, cube), g.scalar((float) Math.sqrt(2 / Math.PI)));
                yield g.op("Mul", g.op("Mul", x, g.op("Add", g.op("Tanh", inner), g.scalar(1f))), g.scalar(0.5f));
            }
            case RELU -> g.op("Relu", x);
            case SILU -> g.op("Mul", x, g.op("Sigmoid", x));
        };
    }

    private String addBias(String x, String bias) {
        return weights.containsKey(bias) ? g.op("Add", x, bias) : x;
    }

    private String transpose(String x, long... perm) {
        return g.op("Transpose", Map.of("perm", perm), x);
    }

    private Rotation rotation(int layer) {
        float[] inv = spec.inverseFrequencies(layer);
        return rotations.computeIfAbsent(Arrays.toString(inv), key -> {
            int r = spec.rotaryDim();
            float[] table = new float[r];
            for (int i = 0; i < r / 2; i++) {
                table[f.interleavedRotary() ? 2 * i : i] = inv[i];
                table[f.interleavedRotary() ? 2 * i + 1 : i + r / 2] = inv[i];
            }
            String frequencies = g.initializer("rotary.inv_freq." + rotations.size(), Tensor.vector(table));
            String angles = g.op("Mul", g.op("Unsqueeze", g.op("Cast", Map.of("to", Elem.FLOAT.code), positions),
                    g.longs(2, 3)), frequencies);
            return new Rotation(g.op("Cos", angles), g.op("Sin", angles));
        });
    }

    /**
     * Rotary embedding on [batch, pos, heads, d_head] with tables [batch, pos, 1, rotary_dim]: rotate-half, or
     * interleaved pairs (2i, 2i + 1) for GPT-J.
     */
    private final class Rotation {
        private final String cos;
        private final String sin;

        Rotation(String cos, String sin) {
            this.cos = cos;
            this.sin = sin;
        }

        String apply(String x) {
            int r = spec.rotaryDim();
            boolean partial = r < spec.dHead();
            String rot = partial ? slice(x, 0, r) : x;
            String out = g.op("Add", g.op("Mul", rot, cos), g.op("Mul", rotated(rot, r), sin));
            return partial ? g.op("Concat", Map.of("axis", -1), out, slice(x, r, spec.dHead())) : out;
        }

        private String rotated(String rot, int r) {
            if (!f.interleavedRotary()) {
                return g.op("Concat", Map.of("axis", -1), g.op("Neg", slice(rot, r / 2, r)), slice(rot, 0, r / 2));
            }
            String pairs = g.op("Reshape", rot, g.longs(0, 0, 0, r / 2, 2));
            String even = g.op("Slice", pairs, g.longs(0), g.longs(1), g.longs(-1));
            String odd = g.op("Slice", pairs, g.longs(1), g.longs(2), g.longs(-1));
            return g.op("Reshape", g.op("Concat", Map.of("axis", -1), g.op("Neg", odd), even), g.longs(0, 0, 0, r));
        }

        private String slice(String x, int from, int to) {
            return g.op("Slice", x, g.longs(from), g.longs(to), g.longs(-1));
        }
    }
}
