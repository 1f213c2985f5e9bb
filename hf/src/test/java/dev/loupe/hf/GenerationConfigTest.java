package dev.loupe.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loupe.api.LoupeException;
import dev.loupe.api.generation.Sampling;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code generation_config.json} read with Hugging Face's meaning; every key used or refused by name. */
class GenerationConfigTest {
    @TempDir
    Path dir;

    private GenerationConfig read(String config, String generation) throws Exception {
        Files.writeString(dir.resolve("config.json"), config);
        if (generation != null) {
            Files.writeString(dir.resolve("generation_config.json"), generation);
        }
        return GenerationConfig.read(dir, 7);
    }

    @Test
    void withoutAFileItIsGreedyWithConfigsEos() throws Exception {
        GenerationConfig g = read("{\"eos_token_id\": 2}", null);
        assertEquals(List.of(2), g.eosIds());
        assertEquals(Sampling.greedy(), g.sampling());
        assertEquals(32, g.newTokens(10, 32));
    }

    /** Llama 3 Instruct's file: two EOS ids, sampling at 0.6 / top-p 0.9, HF's top-k default 50, max_length. */
    @Test
    void llama3InstructsFile() throws Exception {
        GenerationConfig g = read("{\"eos_token_id\": 128001}", """
                {"bos_token_id": 128000, "do_sample": true, "eos_token_id": [128001, 128008, 128009],
                 "temperature": 0.6, "top_p": 0.9, "max_length": 4096, "transformers_version": "4.45.0"}""");
        assertEquals(List.of(128001, 128008, 128009), g.eosIds());
        assertEquals(new Sampling(0.6, 50, 0.9, 1.0, 7), g.sampling());
        assertEquals(OptionalInt.of(4096), g.maxLength());
        assertEquals(4096 - 100, g.newTokens(100, 32), "max_length counts the prompt");
    }

    @Test
    void greedyUnlessDoSampleYetTheRepetitionPenaltyHolds() throws Exception {
        GenerationConfig g = read("{}", "{\"temperature\": 0.7, \"repetition_penalty\": 1.3, \"max_new_tokens\": 5, "
                + "\"max_length\": 8}");
        assertEquals(new Sampling(0, 0, 1, 1.3, 7), g.sampling());
        assertEquals(5, g.newTokens(100, 32), "max_new_tokens wins over max_length, as in HF");
    }

    @Test
    void anythingElseIsRefusedByName() throws Exception {
        Path file = dir.resolve("generation_config.json");
        assertEquals(file + ": field 'num_beams' is not supported by loupe generate; remove it or pass "
                        + "--no-generation-config",
                assertThrows(LoupeException.class, () -> read("{}", "{\"num_beams\": 4}")).getMessage());
        assertEquals(file + ": field 'temperature' is \"hot\", expected a number",
                assertThrows(LoupeException.class, () -> read("{}", "{\"do_sample\": true, \"temperature\": \"hot\"}"))
                        .getMessage());
        assertEquals(file + ": field 'do_sample' is \"yes\", expected true or false",
                assertThrows(LoupeException.class, () -> read("{}", "{\"do_sample\": \"yes\"}")).getMessage());
        assertEquals(file + ": top-p 1.5: expected a number in (0, 1]",
                assertThrows(LoupeException.class, () -> read("{}", "{\"do_sample\": true, \"top_p\": 1.5}"))
                        .getMessage());
        assertEquals(file + ": field 'eos_token_id' holds \"x\", expected token ids",
                assertThrows(LoupeException.class, () -> read("{}", "{\"eos_token_id\": [1, \"x\"]}")).getMessage());
        assertThrows(LoupeException.class, () -> read("{}", "{\"num_return_sequences\": 3}"));
        assertThrows(LoupeException.class, () -> read("{}", "{\"max_length\": 10}").newTokens(10, 32));
    }
}
