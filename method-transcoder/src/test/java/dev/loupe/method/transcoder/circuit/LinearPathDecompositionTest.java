package dev.loupe.method.transcoder.circuit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.InputNormalization;
import dev.loupe.api.intervention.SparseActivation;
import dev.loupe.api.intervention.SpliceFunction;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.dictionary.Transcoder;
import dev.loupe.toymodel.EmbeddedModel;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Skip transcoders (W_skip), transcoders that normalise their input, and every encoder kind (JumpReLU, TopK, gated:
 * an active feature's value is its pre-activation, the gate held) decompose as exactly as plain ReLU ones: the skip
 * path and a layer-normalising transcoder's mean shift are one SKIP term each, the normalisation scale is held at its
 * value at that token, and every read-out still adds up (1e-4 relative).
 */
class LinearPathDecompositionTest {
    private static Model model;
    private static int[] ids;

    @BeforeAll
    static void load() {
        model = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()));
        int[] body = model.tokenizer().encode("The war lasted from the year 1732 to the year 17");
        ids = new int[body.length + 1];
        ids[0] = model.tokenizer().bosId().orElse(0);
        System.arraycopy(body, 0, ids, 1, body.length);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Tensor gaussian(Random r, double sd, int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * sd);
        }
        return Tensor.of(v, shape);
    }

    /** A random 64-feature transcoder at one layer, with non-zero decoder biases, optionally skip and normalising. */
    static Transcoder transcoder(int dm, int layer, long seed, boolean skip, InputNormalization norm) {
        return transcoder(dm, layer, seed, skip, norm, "relu");
    }

    private static SparseActivation activation(String kind, Random r, int f) {
        return switch (kind) {
            case "relu" -> new SparseActivation.Relu();
            case "jumprelu" -> {
                float[] threshold = new float[f];
                java.util.Arrays.fill(threshold, 0.03f);
                yield new SparseActivation.JumpRelu(Tensor.vector(threshold));
            }
            case "topk" -> new SparseActivation.TopK(8);
            case "gated" -> new SparseActivation.Gated(gaussian(r, 0.3, f), gaussian(r, 0.05, f));
            default -> throw new IllegalArgumentException(kind);
        };
    }

    static Transcoder transcoder(int dm, int layer, long seed, boolean skip, InputNormalization norm, String kind) {
        Random r = new Random(seed);
        int f = 64;
        float[] benc = new float[f];
        java.util.Arrays.fill(benc, 0.05f);
        SpliceFunction.SparseMlp mlp = new SpliceFunction.SparseMlp(gaussian(r, 0.1, dm, f), Tensor.vector(benc),
                gaussian(r, 0.1, f, dm), gaussian(r, 0.02, dm), gaussian(r, 0.02, dm), activation(kind, r, f),
                skip ? gaussian(r, 0.05, dm, dm) : null, norm);
        return Transcoder.of(HookPoint.parse("blocks." + layer + ".ln2.hook_out"),
                HookPoint.parse("blocks." + layer + ".hook_mlp_out"), "test", mlp);
    }

    private static Decomposition decomposition(Transcoder layer3) {
        Transcoder layer1 = transcoder(model.spec().dModel(), 1, 1, layer3.mlp().wSkip() != null,
                layer3.mlp().normalization(), kindOf(layer3));
        return new Decomposition(model, Map.of(1, layer1, 3, layer3), ids);
    }

    private static String kindOf(Transcoder t) {
        return switch (t.mlp().activation()) {
            case SparseActivation.Relu r -> "relu";
            case SparseActivation.JumpRelu j -> "jumprelu";
            case SparseActivation.TopK k -> "topk";
            case SparseActivation.Gated g -> "gated";
        };
    }

    private static double sum(Decomposition d, Decomposition.Readout r) {
        return d.terms(r).stream().mapToDouble(Decomposition.Term::value).sum() + r.bias();
    }

    private static double tolerance(double value) {
        return 1e-4 * Math.max(1, Math.abs(value));
    }

    @ParameterizedTest(name = "skip={0}, normalization={1}, {2}")
    @CsvSource({"true, NONE, relu", "false, CONSTANT_NORM_RESCALE, relu", "false, LAYER_NORM, relu",
            "true, LAYER_NORM, relu", "true, NONE, jumprelu", "false, CONSTANT_NORM_RESCALE, topk",
            "true, LAYER_NORM, gated"})
    void aLogitAndEveryChildAddUpThroughTheLinearPath(boolean skip, InputNormalization norm, String kind) {
        Transcoder layer3 = transcoder(model.spec().dModel(), 3, 2, skip, norm, kind);
        Decomposition d = decomposition(layer3);
        int last = ids.length - 1;
        float[] unit = new float[model.spec().dVocab()];
        int token = model.tokenizer().encode("50")[0];
        unit[token] = 1;
        Decomposition.Readout root = d.logit(unit, last);
        double actual = model.run(RunRequest.of(ids)).logits().select(0).select(last).get(token);
        assertEquals(actual, d.value(root), tolerance(actual), "read-out = the model's logit");
        assertEquals(d.value(root), sum(d, root), tolerance(actual), "terms + bias = read-out");
        List<Decomposition.Term> terms = d.terms(root);
        List<Decomposition.Term> linear = terms.stream().filter(t -> t.kind() == CircuitGraph.Kind.SKIP).toList();
        assertEquals(skip || norm == InputNormalization.LAYER_NORM ? 2 : 0, linear.size(),
                "one linear-path term per transcoder layer at the read-out's token");
        transcoderTermsAreItsOutput(layer3, root, terms, last);
        for (Decomposition.Term term : terms) {
            if (term.child() != null) {
                assertEquals(term.value(), sum(d, term.child()), tolerance(term.value()), "child of " + term.label());
                assertEquals(term.value(), d.value(term.child()), tolerance(term.value()),
                        "child read-out of " + term.label() + " = its value");
            }
        }
    }

    /** Features, b_dec_out and the linear path are the transcoder's own output ŷ; the error is mlp_out − ŷ. */
    private static void transcoderTermsAreItsOutput(Transcoder tc, Decomposition.Readout root,
                                                    List<Decomposition.Term> terms, int last) {
        HookPoint in = HookPoint.parse("blocks.3.ln2.hook_out");
        HookPoint out = HookPoint.parse("blocks.3.hook_mlp_out");
        var run = model.run(RunRequest.of(ids).withCache(java.util.Set.of(in, out)));
        float[] yHat = tc.mlp().forward(run.activation(in).select(0).select(last).toArray());
        float[] mlpOut = run.activation(out).select(0).select(last).toArray();
        double explained = 0;
        double error = 0;
        for (int k = 0; k < yHat.length; k++) {
            explained += (double) yHat[k] * root.vector()[k];
            error += (double) (mlpOut[k] - yHat[k]) * root.vector()[k];
        }
        double ofTranscoder = terms.stream().filter(t -> t.layer() == 3 && t.position() == last)
                .filter(t -> t.kind() == CircuitGraph.Kind.FEATURE || t.kind() == CircuitGraph.Kind.SKIP
                        || t.label().startsWith("b_dec_out"))
                .mapToDouble(Decomposition.Term::value).sum();
        double errorTerm = terms.stream().filter(t -> t.kind() == CircuitGraph.Kind.TRANSCODER_ERROR && t.layer() == 3)
                .mapToDouble(Decomposition.Term::value).sum();
        assertEquals(explained, ofTranscoder, tolerance(explained), "features + b_dec_out + linear path = ŷ·u");
        assertEquals(error, errorTerm, tolerance(error), "error = (mlp_out − ŷ)·u");
    }

    @ParameterizedTest(name = "skip={0}, normalization={1}, {2}")
    @CsvSource({"true, NONE, relu", "false, CONSTANT_NORM_RESCALE, relu", "true, LAYER_NORM, relu",
            "true, NONE, jumprelu", "true, NONE, topk", "false, NONE, gated"})
    void anActiveFeatureReadsOutItsActivationAndAGreedyGraphAddsUp(boolean skip, InputNormalization norm,
                                                                   String kind) {
        Decomposition d = decomposition(transcoder(model.spec().dModel(), 3, 2, skip, norm, kind));
        int last = ids.length - 1;
        int active = -1;
        for (int i = 0; i < 64 && active < 0; i++) {
            if (d.featureActivation(3, i, last) > 0) {
                active = i;
            }
        }
        assertTrue(active >= 0, "some random feature fires");
        Decomposition.Readout root = d.feature(3, active, last);
        double z = d.featureActivation(3, active, last);
        assertEquals(z, d.value(root), tolerance(z), "read-out = z, the normalisation held at its value");
        assertEquals(z, sum(d, root), tolerance(z));
        CircuitGraph g = GreedySearch.search(d, root, "feature", "F3." + active, CircuitGraph.Kind.FEATURE, 4, -1,
                List.of(), 5, 3);
        int expanded = 0;
        for (CircuitGraph.Node node : g.nodes()) {
            List<CircuitGraph.Edge> in = g.edges().stream().filter(e -> e.target().equals(node.id())).toList();
            if (!in.isEmpty()) {
                expanded++;
                assertEquals(node.value(), in.stream().mapToDouble(CircuitGraph.Edge::weight).sum(),
                        1e-3 * Math.max(1, Math.abs(node.value())), node.id());
            }
        }
        assertTrue(expanded >= 3, "root and some children were expanded: " + expanded);
    }
}
