package dev.loupe.method.transcoder.circuit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.Tokenizer;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.toymodel.EmbeddedModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Circuit targets written as text, on the embedded model's word-level tokenizer (years "00".."99" are tokens). */
class CircuitTargetTest {
    private static Model model;
    private static Tokenizer tok;
    private static int vocab;

    @BeforeAll
    static void load() {
        model = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()));
        tok = model.tokenizer();
        vocab = model.spec().dVocab();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void logitsDifferencesAndFeatures() {
        Circuits.Root.Logit one = (Circuits.Root.Logit) CircuitTarget.parse("logit:'50'", tok, vocab);
        float[] expected = new float[vocab];
        expected[tok.encode("50")[0]] = 1;
        assertArrayEquals(expected, one.direction());
        assertEquals("logit('50')", one.label());
        Circuits.Root.Logit diff = (Circuits.Root.Logit) CircuitTarget.parse("logit-diff: \"50\" , '20'", tok, vocab);
        expected[tok.encode("20")[0]] = -1;
        assertArrayEquals(expected, diff.direction());
        assertEquals("logit('50') - logit('20')", diff.label());
        assertEquals(new Circuits.Root.Feature(3, 417), CircuitTarget.parse("feature:3.417", tok, vocab));
    }

    /** circuit-tracer's logit node: the token's logit less the mean logit, exact through the decomposition. */
    @Test
    void aDemeanedLogitIsTheLogitLessTheMeanLogit() {
        Circuits.Root.Logit d = (Circuits.Root.Logit) CircuitTarget.parse("logit-demeaned:'50'", tok, vocab);
        assertEquals("logit('50') - mean logit", d.label());
        int id = tok.encode("50")[0];
        assertEquals(1 - 1.0 / vocab, d.direction()[id], 1e-7);
        assertEquals(-1.0 / vocab, d.direction()[tok.encode("20")[0]], 1e-9);
        int[] ids = tok.encodeWithBos("The war lasted from the year 1732 to the year 17");
        float[] logits = model.run(dev.loupe.api.RunRequest.of(ids)).logits().select(0).select(ids.length - 1)
                .toArray();
        double mean = 0;
        for (float l : logits) {
            mean += l / (double) vocab;
        }
        var byLayer = java.util.Map.of(1, DecompositionTest.random(1, 1), 3, DecompositionTest.random(3, 2));
        CircuitGraph g = Circuits.trace(model, byLayer, ids, d, 8, 3);
        assertEquals(logits[id] - mean, g.root().value(), 1e-4, "the root's value is logit - mean logit");
    }

    @Test
    void mistakesAreOneLineNamingTheTarget() {
        String[][] cases = {
            {"", "circuit target is empty: expected logit:'TOKEN', logit-demeaned:'TOKEN', logit-diff:'A','B' or "
                    + "feature:LAYER.INDEX"},
            {"prob:'50'", "circuit target 'prob:'50'': unknown kind 'prob' (expected logit, logit-demeaned, "
                    + "logit-diff or feature)"},
            {"logit-demeaned:'50','20'", "circuit target 'logit-demeaned:'50','20'': unexpected ','20'' after 1 token"},
            {"logit:50", "circuit target 'logit:50': expected 1 quoted token after the colon, e.g. logit:' Paris'"},
            {"logit:'50", "circuit target 'logit:'50': the quote at character 1 after the colon is not closed"},
            {"logit:'50' x", "circuit target 'logit:'50' x': unexpected 'x' after 1 token"},
            {"logit-diff:'50'", "circuit target 'logit-diff:'50'': expected , and a second quoted token"},
            {"logit-diff:'50','50'", "circuit target 'logit-diff:'50','50'': the two tokens are the same, so the "
                    + "difference is zero"},
            {"logit:'50 20'", "circuit target 'logit:'50 20'': '50 20' is 2 tokens, not one"},
            {"logit:'Paris'", "circuit target 'logit:'Paris'': 'Paris' names no token: the tokenizer reads it as token "
                    + tok.encode("Paris")[0] + " '" + tok.decode(tok.encode("Paris")) + "'"},
            {"feature:3", "circuit target 'feature:3': expected feature:LAYER.INDEX with two non-negative integers, "
                    + "e.g. feature:3.417"},
            {"feature:-1.2", "circuit target 'feature:-1.2': expected feature:LAYER.INDEX with two non-negative "
                    + "integers, e.g. feature:3.417"},
        };
        for (String[] c : cases) {
            LoupeException e = assertThrows(LoupeException.class, () -> CircuitTarget.parse(c[0], tok, vocab), c[0]);
            assertEquals(c[1], e.getMessage());
        }
    }
}
