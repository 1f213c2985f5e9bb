package dev.loupe.app;

import static dev.loupe.app.CliTest.loupe;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.HookPoint;
import dev.loupe.api.Model;
import dev.loupe.api.Positions;
import dev.loupe.api.Tensor;
import dev.loupe.api.Tokenizer;
import dev.loupe.api.generation.GenerationRequest;
import dev.loupe.api.generation.GenerationResult;
import dev.loupe.api.generation.Generator;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.io.SafetensorsFile;
import dev.loupe.toymodel.EmbeddedModel;
import dev.loupe.vectors.SteeringVectorFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loupe generate} on the embedded model and on a checkpoint with a {@code generation_config.json}: the same
 * tokens as the api's {@link Generator}, batches, stop rules, sampling seeds, steering at every step, bad input.
 */
class GenerateCommandTest {
    private static final ObjectMapper JSON = dev.loupe.json.LoupeJson.mapper();
    private static final String PROMPT = "The war lasted from the year 1732 to the year 17";
    private static Model model;
    private static Tokenizer tok;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        model = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()));
        tok = model.tokenizer();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GenerationResult.Completion api(String prompt, int max, List<Intervention> ivs) {
        GenerationRequest r = GenerationRequest.builder(tok.encodeWithBos(prompt)).maxTokens(max)
                .stopIds(tok.stopId()).interventions(ivs).build();
        return Generator.generate(model, r).completions().get(0);
    }

    private static JsonNode json(String... args) throws Exception {
        CliTest.Result c = loupe(args);
        assertEquals(0, c.code(), c.err());
        return JSON.readTree(c.out());
    }

    private static int[] tokens(JsonNode completion) {
        int[] out = new int[completion.get("tokens").size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = completion.get("tokens").get(i).intValue();
        }
        return out;
    }

    @Test
    void streamsTheGeneratorsGreedyText() {
        GenerationResult.Completion expected = api(PROMPT, 5, List.of());
        CliTest.Result c = loupe("generate", "--prompt", PROMPT, "--max-tokens", "5");
        assertEquals(0, c.code(), c.err());
        String finish = expected.finish().name().toLowerCase(java.util.Locale.ROOT);
        assertEquals(PROMPT + expected.text() + System.lineSeparator() + "[" + finish + "]" + System.lineSeparator(),
                c.out());
    }

    /** A batch of prompts of different lengths, cached or not, gives each prompt's own greedy continuation. */
    @Test
    void aBatchEqualsEachPromptAloneWithOrWithoutTheCache() throws Exception {
        String shorter = "The war lasted";
        JsonNode cached = json("generate", "--prompt", PROMPT, "--prompt", shorter, "--max-tokens", "6", "--json");
        JsonNode rerun = json("generate", "--prompt", PROMPT, "--prompt", shorter, "--max-tokens", "6", "--json",
                "--no-kv-cache");
        assertTrue(cached.get("kv_cache").booleanValue());
        assertEquals(false, rerun.get("kv_cache").booleanValue());
        List<String> prompts = List.of(PROMPT, shorter);
        for (int i = 0; i < 2; i++) {
            GenerationResult.Completion alone = api(prompts.get(i), 6, List.of());
            JsonNode row = cached.get("completions").get(i);
            assertEquals(prompts.get(i), row.get("prompt").asText());
            assertArrayEquals(alone.tokens(), tokens(row), "prompt " + i);
            assertEquals(alone.text(), row.get("text").asText());
            assertArrayEquals(alone.tokens(), tokens(rerun.get("completions").get(i)), "rerun, prompt " + i);
        }
    }

    /**
     * --cache/--out write the trajectory of a left-padded batch: the mask marks prompt and generated tokens, and a
     * sequence's activations at them equal a forward of its final sequence alone (1e-4).
     */
    @Test
    void theTrajectorysHooksGoToSafetensorsAsAForwardOfTheFinalSequences() throws Exception {
        Path file = tmp.resolve("trajectory.safetensors");
        String shorter = "The war lasted";
        json("generate", "--prompt", PROMPT, "--prompt", shorter, "--max-tokens", "4", "--json", "--cache",
                "blocks.2.hook_resid_post,blocks.0.attn.hook_pattern", "--out", file.toString());
        List<String> prompts = List.of(PROMPT, shorter);
        int longest = tok.encodeWithBos(PROMPT).length;
        int length = longest + 4;
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(java.util.Set.of("blocks.2.hook_resid_post", "blocks.0.attn.hook_pattern", "input_ids",
                    "attention_mask"), f.names());
            assertArrayEquals(new int[] {2, length, model.spec().dModel()}, f.entry("blocks.2.hook_resid_post").shape());
            long[] ids = f.longs("input_ids");
            long[] mask = f.longs("attention_mask");
            Tensor resid = f.tensor("blocks.2.hook_resid_post");
            for (int i = 0; i < 2; i++) {
                GenerationResult.Completion c = api(prompts.get(i), 4, List.of());
                int[] p = tok.encodeWithBos(prompts.get(i));
                int[] all = java.util.Arrays.copyOf(p, p.length + c.tokens().length);
                System.arraycopy(c.tokens(), 0, all, p.length, c.tokens().length);
                int pad = longest - p.length;
                Tensor alone = model.run(dev.loupe.api.RunRequest.of(all)
                        .withCache(java.util.Set.of(HookPoint.parse("blocks.2.hook_resid_post"))))
                        .activation(HookPoint.parse("blocks.2.hook_resid_post")).select(0);
                for (int k = 0; k < length; k++) {
                    boolean real = k >= pad && k - pad < all.length;
                    assertEquals(real ? 1 : 0, mask[i * length + k], "mask " + i + "," + k);
                    if (real) {
                        assertEquals(all[k - pad], ids[i * length + k]);
                        float[] got = resid.select(i).select(k).toArray();
                        float[] want = alone.select(k - pad).toArray();
                        assertArrayEquals(want, got, 1e-4f, "sequence " + i + " position " + k);
                    }
                }
            }
        }
        CliTest.Result noOut = loupe("generate", "--prompt", PROMPT, "--cache", "hook_embed");
        assertEquals(2, noOut.code());
        assertTrue(noOut.err().contains("--cache needs --out"), noOut.err());
    }

    @Test
    void aSeedFixesTheSampleAndTemperatureZeroIsGreedy() throws Exception {
        String[] base = {"generate", "--prompt", PROMPT, "--max-tokens", "8", "--json", "--temperature", "2"};
        List<int[]> draws = new ArrayList<>();
        for (int seed = 0; seed < 4; seed++) {
            String[] args = java.util.Arrays.copyOf(base, base.length + 2);
            args[base.length] = "--seed";
            args[base.length + 1] = String.valueOf(seed);
            int[] once = tokens(json(args).get("completions").get(0));
            assertArrayEquals(once, tokens(json(args).get("completions").get(0)), "seed " + seed + " twice");
            draws.add(once);
        }
        assertTrue(draws.stream().map(java.util.Arrays::toString).distinct().count() > 1,
                "four seeds at temperature 2 drew the same 8 tokens");
        JsonNode greedy = json("generate", "--prompt", PROMPT, "--max-tokens", "8", "--json", "--temperature", "0",
                "--top-k", "5", "--top-p", "0.5");
        assertArrayEquals(api(PROMPT, 8, List.of()).tokens(), tokens(greedy.get("completions").get(0)));
        assertEquals(0.5, greedy.get("sampling").get("top_p").doubleValue());
    }

    /** A stop string ends the sequence at the token whose text completes it; the token is kept, as in HF. */
    @Test
    void aStopStringEndsTheSequence() throws Exception {
        GenerationResult.Completion free = api(PROMPT, 8, List.of());
        int[] prompt = tok.encodeWithBos(PROMPT);
        String stop = tok.decodeContinuation(prompt, java.util.Arrays.copyOf(free.tokens(), 2)).strip();
        int stopsAt = 1;
        while (!tok.decodeContinuation(prompt, java.util.Arrays.copyOf(free.tokens(), stopsAt)).contains(stop)) {
            stopsAt++;
        }
        JsonNode row = json("generate", "--prompt", PROMPT, "--max-tokens", "8", "--json", "--stop", stop)
                .get("completions").get(0);
        assertEquals("stop_string", row.get("finish").asText());
        assertArrayEquals(java.util.Arrays.copyOf(free.tokens(), stopsAt), tokens(row));
    }

    /** A vector file and the same intervention as data give the same steered tokens, different from unsteered. */
    @Test
    void aVectorOrAnInterventionsFileSteersEveryStep() throws Exception {
        Random r = new Random(5);
        float[] v = new float[model.spec().dModel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        HookPoint hook = HookPoint.parse("blocks.2.hook_resid_pre");
        Intervention add = new Intervention.AddVector(hook, Tensor.of(v, v.length).scale(8), 1, Positions.all());
        Path file = tmp.resolve("steer.json");
        Files.writeString(file, JSON.writerFor(new TypeReference<List<Intervention>>() { }).writeValueAsString(
                List.of(add)));
        int[] steered = api(PROMPT, 6, List.of(add)).tokens();
        assertNotEquals(java.util.Arrays.toString(api(PROMPT, 6, List.of()).tokens()),
                java.util.Arrays.toString(steered), "the vector changes the continuation");
        JsonNode viaFile = json("generate", "--prompt", PROMPT, "--max-tokens", "6", "--json", "--interventions",
                file.toString());
        assertArrayEquals(steered, tokens(viaFile.get("completions").get(0)));
        JsonNode run = json("run", "--prompt", PROMPT, "--json", "--interventions", file.toString());
        assertEquals(steered[0], run.get("top_k").get(0).get("id").intValue(), "loupe run applies the file too");
        Files.writeString(file, "[{\"kind\": \"add\", \"hook\": \"blocks.2.hook_resid_pre\", \"scale\": 1}]");
        CliTest.Result bad = loupe("run", "--prompt", PROMPT, "--interventions", file.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().startsWith("loupe: " + file + ": intervention 0 is not valid ("), bad.err());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());

        Path vector = tmp.resolve("v");
        Path sae = SaeFeatureSteeringTest.saeWithRow(tmp.resolve("sae"), hook, v);
        assertEquals(0, loupe("steer", "feature", "--sae", sae.toString(), "--feature", "0", "--coefficient", "1",
                "--out", vector.toString()).code());
        assertArrayEquals(v, SteeringVectorFile.read(vector).vector().toArray(), 0f);
        JsonNode viaVector = json("generate", "--prompt", PROMPT, "--max-tokens", "6", "--json", "--vector",
                vector.toString(), "--scale", "8");
        assertArrayEquals(steered, tokens(viaVector.get("completions").get(0)));
    }

    /** The checkpoint's generation_config.json: its EOS ids stop, its unknown keys are refused by name. */
    @Test
    void theCheckpointsGenerationConfig() throws Exception {
        Path dir = NonEmbeddedModelTest.wordModel(tmp);
        JsonNode free = json("generate", "--model", dir.toString(), "--prompt", "the man went to the", "--max-tokens",
                "4", "--json", "--no-generation-config");
        int[] all = tokens(free.get("completions").get(0));
        int first = 0;
        while (first + 1 < all.length && all[first] == all[0]) {
            first++;
        }
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [" + all[first] + ", 9999]}");
        JsonNode stopped = json("generate", "--model", dir.toString(), "--prompt", "the man went to the",
                "--max-tokens", "4", "--json");
        JsonNode row = stopped.get("completions").get(0);
        assertEquals("stop_token", row.get("finish").asText());
        assertArrayEquals(java.util.Arrays.copyOf(all, first + 1), tokens(row));
        Files.writeString(dir.resolve("generation_config.json"), "{\"num_beams\": 4}");
        CliTest.Result refused = loupe("generate", "--model", dir.toString(), "--prompt", "the man");
        assertEquals(2, refused.code());
        assertEquals("loupe: " + dir.resolve("generation_config.json") + ": field 'num_beams' is not supported by "
                + "loupe generate; remove it or pass --no-generation-config", refused.err().strip());
    }

    @Test
    void badInputIsOneLineAndExitTwo() {
        List<List<String>> bad = List.of(List.of("--max-tokens", "0"), List.of("--top-p", "1.5"),
                List.of("--temperature", "-1"), List.of("--stop", ""), List.of("--top-k", "-2"));
        for (List<String> extra : bad) {
            List<String> args = new ArrayList<>(List.of("generate", "--prompt", PROMPT));
            args.addAll(extra);
            CliTest.Result c = loupe(args.toArray(String[]::new));
            assertEquals(2, c.code(), extra + ": " + c.err());
            assertEquals(1, c.err().strip().lines().count(), extra + ": " + c.err());
        }
        int[] full = new int[model.spec().nCtx()];
        String ids = java.util.Arrays.stream(full).mapToObj(String::valueOf).reduce((a, b) -> a + "," + b).orElseThrow();
        CliTest.Result past = loupe("generate", "--tokens", ids);
        assertEquals(2, past.code());
        assertEquals("loupe: a prompt of " + full.length + " tokens fills the model's context of " + full.length
                + " (n_ctx): nothing can be generated", past.err().strip());
    }
}
