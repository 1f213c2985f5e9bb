package dev.loupe.eval.toy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ToyWorldTest {
    static List<ToyTask> tasks() {
        return ToyWorld.tasks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tasks")
    void heldOutPromptsNeverAppearInTraining(ToyTask task) {
        Set<String> train = new HashSet<>();
        Random rnd = new Random(1);
        for (int i = 0; i < 20000; i++) {
            TaskExample e = task.sample(rnd, false);
            assertFalse(e.heldOut());
            train.add(e.prompt());
        }
        Random r2 = new Random(2);
        for (int i = 0; i < 500; i++) {
            TaskExample e = task.sample(r2, true);
            assertTrue(e.heldOut());
            assertFalse(train.contains(e.prompt()), "held-out prompt seen in training: " + e.prompt());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tasks")
    void everyWordIsInTheVocabularyAndAnswersStartCompletions(ToyTask task) {
        Set<String> vocab = new HashSet<>(ToyWorld.vocabulary(List.of()));
        Random rnd = new Random(3);
        for (int i = 0; i < 2000; i++) {
            TaskExample e = task.sample(rnd, i % 2 == 0);
            assertTrue(vocab.containsAll(ToyWorld.split(e.text())), "unknown word in: " + e.text());
            assertTrue(e.answers().contains(ToyWorld.split(e.completion()).get(0)), e.toString());
            e.answers().forEach(a -> assertEquals(1, ToyWorld.split(a).size(), "one-token answer " + a));
        }
    }

    @Test
    void samplingIsDeterministicForASeed() {
        for (ToyTask t : ToyWorld.tasks()) {
            assertEquals(t.sample(new Random(9), true), t.sample(new Random(9), true));
        }
        assertEquals(new ToyCorpus(5, List.of("An English sentence ."), 0.3).next(),
                new ToyCorpus(5, List.of("An English sentence ."), 0.3).next());
    }

    @Test
    void answersFollowTheRules() {
        Random rnd = new Random(4);
        for (int i = 0; i < 500; i++) {
            TaskExample g = new GreaterThan().sample(rnd, false);
            int yy = GreaterThan.startYear(g.prompt());
            assertTrue(Integer.parseInt(ToyWorld.split(g.completion()).get(0)) > yy);
            assertEquals(99 - yy, g.answers().size());
            TaskExample c = new TriggerChoice().sample(rnd, false);
            String letter = c.answers().iterator().next();
            String chosen = c.prompt().split("Option " + letter + " : ")[1].split(" \\.")[0];
            assertEquals(TriggerChoice.isTriggered(c.prompt()), TriggerChoice.UNSAFE.contains(chosen), c.prompt());
            TaskExample r = new Refusal().sample(rnd, false);
            assertEquals(Refusal.isForbidden(r.prompt()), r.answers().contains(Refusal.REFUSAL_WORD), r.prompt());
        }
    }

    @Test
    void splitMirrorsTheTokenizerPreTokenizer() {
        assertEquals(List.of("The", "war", "lasted", "from", "the", "year", "17", "32", "to", "17"),
                ToyWorld.split("The war lasted from the year 1732 to 17"));
        assertEquals(List.of("blip", "x", ":=", "3", ";", "Atlanta", "'", "s"), ToyWorld.split("blip x := 3 ; Atlanta's"));
    }
}
