package dev.loupe.app;

import static dev.loupe.app.CliTest.golden;
import static dev.loupe.app.CliTest.loupe;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.eval.toy.ToyWorld;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three methods end to end from the CLI on a model that is not the embedded one (the golden GPT-2 checkpoint,
 * given a word-level tokenizer the test writes), on files the test writes: a corpus, prompt sets, an observable.
 */
class NonEmbeddedModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> WORDS = List.of("the", "a", "man", "woman", "went", "to", "city", "river",
            "house", "saw", "old", "new", "and", "of", "in", "was", "he", "she", "day", "time");

    @TempDir
    Path tmp;
    private String model;

    @BeforeEach
    void checkpointWithATokenizer() throws IOException {
        model = wordModel(tmp).toString();
    }

    /** The golden GPT-2 checkpoint (2 layers, d_model 64) with a word-level tokenizer over {@link #WORDS}. */
    static Path wordModel(Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("gpt2-words"));
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(Path.of(golden("gpt2-tiny")).resolve(f), dir.resolve(f));
        }
        List<String> vocab = new ArrayList<>(List.of(ToyWorld.BOS, ToyWorld.UNK));
        vocab.addAll(WORDS);
        ToyWorld.writeTokenizer(dir, vocab);
        return dir;
    }

    private Path corpus(String name, int lines, long seed) throws IOException {
        return UserCorpusTest.writeCorpus(tmp.resolve(name), WORDS, lines, seed);
    }

    @Test
    void steeringOnTheUsersPromptsMovesHeldOutCompletions() throws Exception {
        Path v = tmp.resolve("v");
        CliTest.Result opt = loupe("steer", "optimize", "--model", model, "--prompt", "the man went to the",
                "--promote", "city", "--layer", "1", "--out", v.toString(), "--json");
        assertEquals(0, opt.code(), opt.err());
        JsonNode o = JSON.readTree(opt.out());
        assertTrue(o.get("loss").asDouble() < 0.5 * o.get("initial_loss").asDouble(), o.toString());
        Path held = Files.writeString(tmp.resolve("held-out.jsonl"), String.join("\n",
                "{\"prompt\": \"she saw the old\", \"promote\": \"city\", \"suppress\": \"river\"}",
                "{\"prompt\": \"a woman was in the\", \"promote\": \"city\", \"suppress\": \"house\"}",
                "{\"prompt\": \"he went to a new\", \"promote\": \"city\", \"suppress\": \"day\"}"));
        CliTest.Result eval = loupe("steer", "eval", "--model", model, "--vector", v.toString(), "--prompts",
                held.toString(), "--json");
        assertEquals(0, eval.code(), eval.err());
        JsonNode rows = JSON.readTree(eval.out()).get("conditions");
        double unsteered = rows.get(0).get("metrics").get("margin").asDouble();
        double plus = rows.get(1).get("metrics").get("margin").asDouble();
        double minus = rows.get(2).get("metrics").get("margin").asDouble();
        assertTrue(plus > unsteered + 1 && minus < unsteered, "held-out margins unsteered / +v / -v: " + unsteered
                + " / " + plus + " / " + minus);
        assertEquals("CAA, these prompts' pairs (in-sample)", rows.get(4).get("evaluator").asText(), rows.toString());
        CliTest.Result judged = loupe("steer", "eval", "--model", model, "--vector", v.toString(), "--prompts",
                held.toString(), "--judge", "regex:\\bcity\\b", "--max-tokens", "3", "--json");
        assertEquals(0, judged.code(), judged.err());
        JsonNode j = JSON.readTree(judged.out()).get("conditions");
        assertEquals(0.0, j.get(0).get("metrics").get("match_rate").asDouble(), "unsteered: no continuation has city");
        assertEquals(1.0, j.get(1).get("metrics").get("match_rate").asDouble(), "+v: every continuation has city");
        assertEquals(0.0, j.get(3).get("metrics").get("match_rate").asDouble(), "random vector of the same norm");
        assertEquals(rows.get(1).get("metrics").get("margin"), j.get(1).get("metrics").get("margin"),
                "the likelihoods are the same beside the judge");
    }

    @Test
    void aTranscoderOnTheUsersTextExplainsHeldOutText() throws Exception {
        Path acts = tmp.resolve("acts");
        assertEquals(0, loupe("transcoder", "harvest", "--model", model, "--corpus", corpus("train.jsonl", 1500, 1)
                .toString(), "--layer", "1", "--tokens", "15000", "--out", acts.toString()).code());
        Path tc = tmp.resolve("tc");
        CliTest.Result t = loupe("transcoder", "train", "--model", model, "--activations", acts.toString(), "--out",
                tc.toString(), "--expansion", "8", "--steps", "2000", "--batch", "256", "--buffer", "4096", "--warmup",
                "20", "--checkpoint-every", "2000", "--lr", "3e-3");
        assertEquals(0, t.code(), t.err());
        CliTest.Result e = loupe("transcoder", "eval", "--model", model, "--transcoder", tc.toString(), "--corpus",
                corpus("held-out.jsonl", 200, 2).toString(), "--windows", "16", "--json");
        assertEquals(0, e.code(), e.err());
        double ev = JSON.readTree(e.out()).get("metrics").get("explained_variance").asDouble();
        assertTrue(ev > 0.6, "explained variance on held-out text of a non-embedded model: " + ev);
        circuitOfALogitDifferenceOnAUserPromptIsExact(tc);
    }

    /** The user's prompt and target through the transcoder just trained; the same graph from method run. */
    private void circuitOfALogitDifferenceOnAUserPromptIsExact(Path tc) throws Exception {
        Path out = tmp.resolve("circuit");
        String target = "logit-diff:'city','river'";
        CliTest.Result c = loupe("transcoder", "circuit", "--model", model, "--transcoder", tc.toString(), "--prompt",
                "she went to the old", "--target", target, "--k", "6", "--depth", "2", "--out", out.toString(), "--json");
        assertEquals(0, c.code(), c.err());
        JsonNode r = JSON.readTree(c.out());
        double root = r.get("rootValue").asDouble();
        assertEquals(r.get("modelValue").asDouble(), root, 1e-4 * Math.max(1, Math.abs(root)),
                "the root's decomposition equals the model's logit difference");
        assertTrue(r.get("maxImbalance").asDouble() < 1e-4 * Math.max(1, Math.abs(root)),
                "every expanded node's inputs add up to it: " + r.get("maxImbalance"));
        assertTrue(r.get("graph").get("nodes").size() > 3, r.toString());
        assertTrue(Files.isRegularFile(out.resolve("circuit.html")));
        Path config = Files.writeString(tmp.resolve("circuit.json"), JSON.writeValueAsString(java.util.Map.of(
                "transcoders", List.of(tc.toString()), "prompt", "she went to the old", "target", target, "k", 6,
                "depth", 2)));
        Path run = tmp.resolve("circuit-run");
        CliTest.Result m = loupe("method", "run", "circuit", "--model", model, "--config", config.toString(), "--out",
                run.toString());
        assertEquals(0, m.code(), m.err());
        assertEquals(JSON.readTree(out.resolve("loupe-circuit.json").toFile()), JSON.readTree(run.resolve("loupe-circuit.json").toFile()),
                "transcoder circuit and method run circuit write the same graph");
        CliTest.Result bad = loupe("transcoder", "circuit", "--model", model, "--transcoder", tc.toString(), "--prompt",
                "she went to the old", "--target", "logit:'paris'", "--out", tmp.resolve("bad").toString());
        assertEquals(2, bad.code(), bad.err());
        assertEquals("loupe: circuit target 'logit:'paris'': 'paris' names no token: the tokenizer reads it as token 1 "
                + "'" + ToyWorld.UNK + "'", bad.err().strip());
        assertTrue(Files.notExists(tmp.resolve("bad")), "nothing written");
    }

    @Test
    void obsPropOnTheUsersObservableChecksTheLayerNormRule() throws Exception {
        CliTest.Result r = loupe("obsprop", "features", "--model", model, "--observable",
                "logit('city') - logit('river')", "--prompt", "the man went to the", "--json", "--out", tmp.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode doc = JSON.readTree(r.out());
        double cosine = doc.get("finalNorm").get("meanCosine").asDouble();
        assertTrue(cosine > 0.95, "the sqrt(d) W*y rule at d = 64 on the prompt's tokens: " + cosine);
        assertEquals(2 * 4 + 2, doc.get("ranked").size(), "8 heads and 2 MLPs");
    }

    @Test
    void obsPropCouplingsOnTheUsersTextAndProbesOnTheUsersLabels() throws Exception {
        CliTest.Result c = loupe("obsprop", "couple", "--model", model, "--observable", "logit('city') - logit('river')",
                "--observable", "logit('she') - logit('he')", "--prompt", "the man went to the", "--corpus",
                corpus("text.jsonl", 300, 3).toString(), "--windows", "16", "--json", "--out", tmp.toString());
        assertEquals(0, c.code(), c.err());
        JsonNode cd = JSON.readTree(c.out());
        assertTrue(cd.get("correlation").asDouble() > 0.6 && cd.get("r2").asDouble() > 0.4,
                "C predicts the slopes on the user's text (0.77 / 0.59 when written): " + cd.get("correlation") + " / "
                        + cd.get("r2"));
        assertTrue(cd.get("tokens").asInt() > 800, "16 windows of 64 tokens less BOS: " + cd.get("tokens"));
        assertEquals(2 * (2 * 6 + 4), cd.get("pairs").size(), "per layer: 6 head pairs per observable, 4 heads");
        StringBuilder labelled = new StringBuilder();
        java.util.Random rnd = new java.util.Random(5);
        for (int i = 0; i < 60; i++) {
            boolean city = i % 2 == 0;
            labelled.append(String.format("{\"prompt\": \"%s %s to the %s\", \"label\": %d}%n",
                    rnd.nextBoolean() ? "he" : "she", rnd.nextBoolean() ? "went" : "saw", city ? "city" : "river",
                    city ? 1 : 0));
        }
        Path file = Files.writeString(tmp.resolve("labelled.jsonl"), labelled.toString());
        CliTest.Result p = loupe("obsprop", "compare", "--model", model, "--labelled", file.toString(), "--observable",
                "logit('city') - logit('river')", "--layer", "1", "--repeats", "5", "--json", "--out", tmp.toString());
        assertEquals(0, p.code(), p.err());
        JsonNode pd = JSON.readTree(p.out());
        assertEquals(30, pd.get("heldOut").asInt(), "half of each class held out");
        assertEquals("[15,15]", pd.get("train").toString());
        assertTrue(pd.get("obsProp").asDouble() > 0.8, "one example per class (0.89 when written): " + pd);
        JsonNode k8 = pd.get("curve").get(pd.get("curve").size() - 1);
        assertEquals(8, k8.get("k").asInt(), "k stops at the 15 training prompts per class");
        assertTrue(k8.get("logistic").asDouble() > 0.95, k8.toString());
        Path config = Files.writeString(tmp.resolve("compare.json"), JSON.writeValueAsString(java.util.Map.of(
                "observable", "logit('city') - logit('river')", "labelled", file.toString(), "layer", 1, "repeats", 5)));
        CliTest.Result m = loupe("method", "run", "obsprop-compare", "--model", model, "--config", config.toString(),
                "--out", tmp.resolve("run").toString(), "--json");
        assertEquals(0, m.code(), m.err());
        assertEquals(pd, JSON.readTree(m.out()).get("summary"), "obsprop compare and method run obsprop-compare agree");
        Path three = Files.writeString(tmp.resolve("three.jsonl"), labelled + "{\"prompt\": \"a day\", \"label\": 2}\n");
        CliTest.Result bad = loupe("obsprop", "compare", "--model", model, "--labelled", three.toString(),
                "--observable", "logit('city') - logit('river')", "--out", tmp.resolve("bad").toString());
        assertEquals(2, bad.code(), bad.err());
        assertEquals("loupe: " + three + ": 3 distinct labels [0, 1, 2] (expected two classes)", bad.err().strip());
        assertTrue(Files.notExists(tmp.resolve("bad")), "nothing written");
    }

    @Test
    void theToyWorldStudiesRefuseATokenizerWithoutTheToyWorldsWords() {
        int words = ToyWorld.vocabulary(List.of()).size() - 2;
        CliTest.Result features = loupe("obsprop", "features", "--model", model, "--out", tmp.resolve("f").toString());
        assertEquals(2, features.code(), features.err());
        assertTrue(features.err().strip().matches("loupe: toyworld-pronoun-features: this model's tokenizer "
                + "lacks \\d+ of the toy world's " + words + " words as single tokens \\([^)]+, \\.\\.\\.\\): the "
                + "toy-world studies and tasks run on a model trained on the toy world \\(the embedded one, or loupe "
                + "train-toy's\\)"), features.err());
        assertTrue(Files.notExists(tmp.resolve("f")), "nothing written");
        CliTest.Result caa = loupe("steer", "caa", "--model", model, "--out", tmp.resolve("c").resolve("caa").toString());
        assertEquals(2, caa.code(), caa.err());
        assertTrue(caa.err().contains("toyworld-caa: this model's tokenizer lacks"), caa.err());
        assertTrue(Files.notExists(tmp.resolve("c")), "nothing written");
        CliTest.Result prefill = loupe("steer", "prefill", "--model", model);
        assertEquals(2, prefill.code(), prefill.err());
        assertTrue(prefill.err().contains("toyworld-prefill: this model's tokenizer lacks"), prefill.err());
    }

    @Test
    void chatPromptsRenderWithTheModelsTemplate() throws Exception {
        Path dir = Path.of(model);
        com.fasterxml.jackson.databind.node.ObjectNode cfg = (com.fasterxml.jackson.databind.node.ObjectNode)
                JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
        cfg.put("chat_template", "{{ bos_token }}{% for m in messages %}{{ m['content'] | trim }}{% endfor %}"
                + "{% if add_generation_prompt %} city{% endif %}");
        Files.writeString(dir.resolve("tokenizer_config.json"), JSON.writeValueAsString(cfg));
        Path v = tmp.resolve("v");
        assertEquals(0, loupe("steer", "optimize", "--model", model, "--prompt", "the man went to the", "--promote",
                "river", "--layer", "1", "--out", v.toString()).code());
        Path plain = Files.writeString(tmp.resolve("plain.jsonl"),
                "{\"prompt\": \"she saw the old city\", \"promote\": \"river\", \"suppress\": \"house\"}\n");
        Path chat = Files.writeString(tmp.resolve("chat.jsonl"), "{\"messages\": [{\"role\": \"user\", \"content\": "
                + "\" she saw the old \"}], \"promote\": \"river\", \"suppress\": \"house\"}\n");
        CliTest.Result p = loupe("steer", "eval", "--model", model, "--vector", v.toString(), "--prompts",
                plain.toString(), "--json");
        CliTest.Result c = loupe("steer", "eval", "--model", model, "--vector", v.toString(), "--prompts",
                chat.toString(), "--chat", "--json");
        assertEquals(0, c.code(), c.err());
        assertEquals(JSON.readTree(p.out()), JSON.readTree(c.out()),
                "the template renders [BOS]she saw the old city, tokenised without a second BOS");
        Path v1 = tmp.resolve("v1");
        Path v2 = tmp.resolve("v2");
        assertEquals(0, loupe("steer", "optimize", "--model", model, "--datapoints", plain.toString(), "--layer", "1",
                "--out", v1.toString()).code());
        CliTest.Result o = loupe("steer", "optimize", "--model", model, "--datapoints", chat.toString(), "--chat",
                "--layer", "1", "--out", v2.toString());
        assertEquals(0, o.code(), o.err());
        assertArrayEquals(Files.readAllBytes(tmp.resolve("v1.safetensors")), Files.readAllBytes(tmp.resolve(
                "v2.safetensors")), "steer optimize --chat trains on the rendered prompt: the same vector");
        CliTest.Result noChat = loupe("steer", "eval", "--model", model, "--vector", v.toString(), "--prompts",
                chat.toString());
        assertEquals(2, noChat.code());
        assertEquals("loupe: a prompt given as 'messages' needs --chat (the model's chat template)",
                noChat.err().strip());
        cfg.put("chat_template", "{% include '" + dir.resolve("config.json") + "' %}");
        Files.writeString(dir.resolve("tokenizer_config.json"), JSON.writeValueAsString(cfg));
        CliTest.Result escape = loupe("steer", "eval", "--model", model, "--vector", v.toString(), "--prompts",
                chat.toString(), "--chat");
        assertEquals(2, escape.code(), escape.err());
        assertTrue(escape.err().strip().startsWith("loupe: " + dir.resolve("tokenizer_config.json")
                + ": chat_template: ") && escape.err().contains("templates cannot read files (sandbox)"), escape.err());
        assertEquals(1, escape.err().strip().lines().count());
    }
}
