package dev.loupe.method.transcoder.circuit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.dictionary.Transcoder;
import dev.loupe.toymodel.EmbeddedModel;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The circuit decomposition is exact: terms plus bias equal the read-out, which equals what the model computes. */
class DecompositionTest {
    private static Model model;
    private static Decomposition d;
    private static int[] ids;

    static Transcoder random(int layer, long seed) {
        Random r = new Random(seed);
        int dm = 128;
        int f = 64;
        float[] enc = new float[dm * f];
        float[] dec = new float[f * dm];
        for (int i = 0; i < enc.length; i++) {
            enc[i] = (float) (r.nextGaussian() * 0.1);
            dec[i] = (float) (r.nextGaussian() * 0.1);
        }
        float[] benc = new float[f];
        java.util.Arrays.fill(benc, 0.05f);
        return new Transcoder(HookPoint.parse("blocks." + layer + ".ln2.hook_out"),
                HookPoint.parse("blocks." + layer + ".hook_mlp_out"), "test", Tensor.of(enc, dm, f), Tensor.vector(benc),
                Tensor.of(dec, f, dm), Tensor.zeros(dm), Tensor.zeros(dm));
    }

    @BeforeAll
    static void load() {
        model = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()));
        int[] body = model.tokenizer().encode("The war lasted from the year 1732 to the year 17");
        ids = new int[body.length + 1];
        ids[0] = model.tokenizer().bosId().orElse(0);
        System.arraycopy(body, 0, ids, 1, body.length);
        d = new Decomposition(model, Map.of(1, random(1, 1), 3, random(3, 2)), ids);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static double sum(Decomposition.Readout r) {
        return d.terms(r).stream().mapToDouble(Decomposition.Term::value).sum() + r.bias();
    }

    private static float[] difference(String a, String b) {
        float[] n = new float[model.spec().dVocab()];
        n[model.tokenizer().encode(a)[0]] = 1;
        n[model.tokenizer().encode(b)[0]] = -1;
        return n;
    }

    @Test
    void aLogitDifferenceIsTheSumOfEverythingThatWroteTheFinalResidual() {
        int last = ids.length - 1;
        Decomposition.Readout root = d.logit(difference("50", "20"), last);
        Tensor logits = model.run(RunRequest.of(ids)).logits().select(0).select(last);
        double actual = logits.get(model.tokenizer().encode("50")[0]) - logits.get(model.tokenizer().encode("20")[0]);
        assertEquals(actual, d.value(root), 1e-4 * Math.max(1, Math.abs(actual)), "read-out = the model's logit difference");
        assertEquals(d.value(root), sum(root), 1e-4 * Math.max(1, Math.abs(actual)), "terms + bias = read-out");
    }

    @Test
    void aFeaturePreActivationAndEveryChildDecomposeExactly() {
        int last = ids.length - 1;
        Transcoder t = random(3, 2);
        int active = -1;
        for (int i = 0; i < t.dSae() && active < 0; i++) {
            if (d.featureActivation(3, i, last) > 0) {
                active = i;
            }
        }
        assertTrue(active >= 0, "some random feature fires");
        Decomposition.Readout root = d.feature(3, active, last);
        assertEquals(d.featureActivation(3, active, last), d.value(root), 1e-4, "read-out = z for an active feature");
        assertEquals(d.value(root), sum(root), 1e-4);
        for (Decomposition.Term term : d.terms(root)) {
            if (term.child() != null) {
                assertEquals(term.value(), sum(term.child()), 1e-4 * Math.max(1, Math.abs(term.value())),
                        "child read-out of " + term.label());
            }
        }
    }

    @Test
    void greedyGraphsAddUpAtEveryExpandedNode() {
        int last = ids.length - 1;
        CircuitGraph g = GreedySearch.search(d, d.logit(difference("50", "20"), last), "logit", "50 - 20",
                CircuitGraph.Kind.LOGIT, 4, -1, List.of(), 5, 3);
        int expanded = 0;
        for (CircuitGraph.Node node : g.nodes()) {
            if (g.edges().stream().anyMatch(e -> e.target().equals(node.id()))) {
                double in = g.edges().stream().filter(e -> e.target().equals(node.id()))
                        .mapToDouble(CircuitGraph.Edge::weight).sum();
                expanded++;
                assertEquals(node.value(), in, 1e-3 * Math.max(1, Math.abs(node.value())), node.id());
            }
        }
        assertTrue(expanded >= 3, "root and some children were expanded: " + expanded);
    }
}
