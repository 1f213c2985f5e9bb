package dev.loupe.method.steering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.LoupeException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Judges of generated text: refusal phrases (ignoring case, anywhere) and regular expressions. */
class GeneratedTextJudgeTest {
    @Test
    void refusalPhrasesMatchAnywhereIgnoringCase() {
        GeneratedTextJudge.Judge j = GeneratedTextJudge.Judge.parse("refusal", null);
        assertEquals("refusal_rate", j.metric());
        assertTrue(j.matches(" i CANNOT help with that."));
        assertTrue(j.matches("Well... As an AI model I won't"));
        assertFalse(j.matches("Sure, here is how to bake bread"));
        assertEquals(12, GeneratedTextJudge.REFUSAL_PHRASES.size(), "Arditi et al.'s list");
        GeneratedTextJudge.Judge mine = GeneratedTextJudge.Judge.parse("refusal", List.of("no way"));
        assertTrue(mine.matches("No way!"));
        assertFalse(mine.matches("I cannot"), "the given phrases replace the default list");
    }

    @Test
    void regularExpressionsAreFoundAnywhere() {
        GeneratedTextJudge.Judge j = GeneratedTextJudge.Judge.parse("regex:\\bParis\\b", null);
        assertEquals("match_rate", j.metric());
        assertTrue(j.matches("It is Paris."));
        assertFalse(j.matches("Parisian"));
    }

    @Test
    void badJudgesAreOneLineErrors() {
        assertEquals("judge regex:(: not a regular expression (Unclosed group at index 1)",
                assertThrows(LoupeException.class, () -> GeneratedTextJudge.Judge.parse("regex:(", null)).getMessage());
        assertEquals("judge llm: expected refusal or regex:PATTERN",
                assertThrows(LoupeException.class, () -> GeneratedTextJudge.Judge.parse("llm", null)).getMessage());
        assertEquals("refusal phrases apply to the judge refusal, not regex:x", assertThrows(LoupeException.class,
                () -> GeneratedTextJudge.Judge.parse("regex:x", List.of("a"))).getMessage());
    }
}
