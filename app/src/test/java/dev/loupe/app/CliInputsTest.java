package dev.loupe.app;

import static dev.loupe.app.CliTest.golden;
import static dev.loupe.app.CliTest.loupe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Out-of-range options and usage errors (issue 15): one line naming the option, the help hint, exit 2. */
class CliInputsTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"run --tokens 1 --top-k 0", "run --tokens 1 --top-k -1", "run --tokens -3",
            "transcoder harvest --out X --tokens -5", "transcoder train --activations X --out Y --batch 0",
            "transcoder train --activations X --out Y --expansion 0", "transcoder train --activations X --out Y --lr NaN",
            "transcoder train --activations X --out Y --steps -1", "hooks --pos -1",
            "steer optimize --prompt a --out V --lr -1", "steer optimize --prompt a --out V --max-norm NaN"})
    void anOutOfRangeOptionIsOneLineNamingIt(String line) {
        String option = line.split(" ")[java.util.Arrays.asList(line.split(" ")).size() - 2];
        CliTest.Result r = loupe(line.replace(" X", " " + tmp.resolve("x")).replace(" Y", " " + tmp.resolve("y"))
                .replace(" V", " " + tmp.resolve("v")).split(" "));
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("loupe: " + option + " is "), r.err());
        assertTrue(r.err().contains("--help"), r.err());
        try (var files = Files.list(tmp)) {
            assertEquals(0, files.count(), "nothing written");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"1:2:3", "3"})
    void positionsMustBeASlice(String positions) {
        CliTest.Result r = loupe("steer", "optimize", "--model", golden("gpt2-tiny"), "--prompt", "a b",
                "--positions", positions, "--out", tmp.resolve("v").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("loupe: --positions has "), r.err());
    }

    @Test
    void aUsageErrorIsOneLineWithTheHelpHint() {
        CliTest.Result r = loupe("run", "--no-such-option");
        assertEquals(2, r.code());
        assertEquals("loupe: Unknown option: '--no-such-option' (see 'loupe run --help')", r.err().strip());
    }

    @Test
    void resumeWithoutACheckpointIsAnError() {
        Path acts = tmp.resolve("acts");
        CliTest.Result h = loupe("transcoder", "harvest", "--tokens", "2000", "--out", acts.toString());
        assertEquals(0, h.code(), h.err());
        CliTest.Result r = loupe("transcoder", "train", "--activations", acts.toString(), "--steps", "2", "--resume",
                "--out", tmp.resolve("tc").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("no checkpoint to resume from"), r.err());
    }
}
