package dev.loupe.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.loupe.api.LoupeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of the safetensors reader: valid files of random tensors, then one random mutation each (bytes,
 * header length, truncation, junk, and header edits aimed at each rule). Every case must end in success or one
 * {@link LoupeException} of one line naming the file once, within 5 s; success exactly when
 * {@link ReferenceSafetensors} finds the file valid. {@code -Dloupe.fuzz.cases=N} (default 1,000) and
 * {@code -Dloupe.fuzz.seed=S} run a longer or another campaign; the counts by outcome are printed.
 */
class SafetensorsFuzzTest {
    private static final int CASES = Integer.getInteger("loupe.fuzz.cases", 1000);
    private static final long SEED = Long.getLong("loupe.fuzz.seed", 20261203L);

    @TempDir
    Path tmp;

    @Test
    void everyMutationIsAcceptedExactlyWhenValidAndOtherwiseOneLine() throws IOException {
        Random rnd = new Random(SEED);
        Map<String, Integer> outcomes = new TreeMap<>();
        Path file = tmp.resolve("fuzz.safetensors");
        for (int c = 0; c < CASES; c++) {
            byte[] bytes = SafetensorsMutations.mutate(SafetensorsMutations.valid(rnd), rnd);
            Files.write(file, bytes);
            String violation = ReferenceSafetensors.violation(bytes);
            String outcome = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> open(file), "case " + c);
            boolean accepted = outcome.equals("accepted");
            if (accepted != (violation == null)) {
                fail("case " + c + " (seed " + SEED + "): Loupe " + outcome + ", reference "
                        + (violation == null ? "valid" : "invalid: " + violation) + "; header "
                        + new String(bytes, 8, Math.max(0, Math.min(300, bytes.length - 8)), StandardCharsets.ISO_8859_1));
            }
            outcomes.merge(accepted ? "accepted valid" : "refused invalid (" + violation + ")", 1, Integer::sum);
        }
        System.out.println("safetensors fuzz, " + CASES + " cases, seed " + SEED + ": " + outcomes);
        assertEquals(CASES, outcomes.values().stream().mapToInt(Integer::intValue).sum());
    }

    private static String open(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String name : f.names()) {
                if (f.entry(name).dtype().isFloat()) {
                    f.tensor(name);
                } else {
                    f.longs(name);
                }
            }
            return "accepted";
        } catch (LoupeException e) {
            String m = e.getMessage();
            assertEquals(1, m.lines().count(), m);
            assertEquals(m.indexOf(file.toString()), m.lastIndexOf(file.toString()), "the path once: " + m);
            assertTrue(m.startsWith(file.toString()), m);
            return "refused";
        }
    }

    @Test
    void theValidFilesAreValid() throws IOException {
        Random rnd = new Random(1);
        for (int c = 0; c < 50; c++) {
            byte[] bytes = SafetensorsMutations.valid(rnd);
            assertEquals(null, ReferenceSafetensors.violation(bytes));
            Path f = tmp.resolve("v.safetensors");
            Files.write(f, bytes);
            assertEquals("accepted", open(f));
        }
    }

    static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
