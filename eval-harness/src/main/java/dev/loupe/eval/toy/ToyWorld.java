package dev.loupe.eval.toy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.Tokenizer;
import dev.loupe.io.AtomicFiles;
import dev.loupe.json.LoupeJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.WeakHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The toy world Loupe's embedded model is trained on: six tasks with ground truth, a word-level vocabulary, and
 * the model's shape. Words are split as the generated {@code tokenizer.json} splits them: digit pairs apart,
 * then runs of word characters or of punctuation.
 */
public final class ToyWorld {
    public static final String BOS = "<|endoftext|>";
    public static final String UNK = "[UNK]";
    private static final Pattern DIGIT_PAIR = Pattern.compile("\\d\\d");
    private static final Pattern PIECE = Pattern.compile("\\w+|[^\\w\\s]+");
    private static final Set<Tokenizer> CHECKED = Collections.synchronizedSet(Collections.newSetFromMap(
            new WeakHashMap<>()));

    private ToyWorld() {}

    public static List<ToyTask> tasks() {
        return List.of(new GreaterThan(), new Pronouns(), new Party(), new CodeLanguage(), new Refusal(),
                new TriggerChoice());
    }

    public static ToyTask task(String name) {
        return tasks().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow(() -> new LoupeException(
                "no toy task named '" + name + "'; tasks: " + tasks().stream().map(ToyTask::name).toList()));
    }

    /** The GPT-2-architecture shape of the embedded model for a vocabulary of {@code vocab} words. */
    public static ModelSpec spec(int vocab) {
        return new ModelSpec("gpt2", 4, 128, 4, 4, 32, 512, vocab, 64, ModelSpec.NormKind.LAYER_NORM, 1e-5,
                ModelSpec.PositionalKind.LEARNED, 0, 0, ModelSpec.Activation.GELU, false, false, false);
    }

    /** The word pieces of {@code text}, as the tokenizer's pre-tokenizer cuts them. */
    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        Matcher digits = DIGIT_PAIR.matcher(text);
        int last = 0;
        while (digits.find()) {
            pieces(text.substring(last, digits.start()), out);
            out.add(digits.group());
            last = digits.end();
        }
        pieces(text.substring(last), out);
        return out;
    }

    private static void pieces(String text, List<String> out) {
        Matcher m = PIECE.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
    }

    /** BOS, UNK, every task word (sorted), then {@code english} words not already present, in their order. */
    public static List<String> vocabulary(List<String> english) {
        Set<String> words = new TreeSet<>();
        for (ToyTask t : tasks()) {
            t.words().forEach(w -> words.addAll(split(w)));
        }
        Set<String> vocab = new LinkedHashSet<>(List.of(BOS, UNK));
        vocab.addAll(words);
        vocab.addAll(english);
        return List.copyOf(vocab);
    }

    /**
     * Writes a Hugging Face word-level {@code tokenizer.json} for {@code vocab} and a {@code tokenizer_config.json}
     * naming BOS/EOS into {@code dir} (each file atomically).
     */
    public static void writeTokenizer(Path dir, List<String> vocab) {
        ObjectMapper json = LoupeJson.mapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ObjectNode bos = root.putArray("added_tokens").addObject();
        bos.put("id", 0).put("content", BOS).put("single_word", false).put("lstrip", false).put("rstrip", false)
                .put("normalized", false).put("special", true);
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer").put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        steps.addObject().put("type", "Split").put("behavior", "Isolated").put("invert", false)
                .putObject("pattern").put("Regex", "\\d\\d");
        steps.addObject().put("type", "Whitespace");
        root.putNull("post_processor");
        root.putNull("decoder");
        ObjectNode model = root.putObject("model").put("type", "WordLevel").put("unk_token", UNK);
        ObjectNode ids = model.putObject("vocab");
        for (int i = 0; i < vocab.size(); i++) {
            ids.put(vocab.get(i), i);
        }
        AtomicFiles.write(dir.resolve("tokenizer.json"),
                tmp -> json.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root));
        ObjectNode config = json.createObjectNode().put("tokenizer_class", "PreTrainedTokenizerFast")
                .put("bos_token", BOS).put("eos_token", BOS);
        AtomicFiles.write(dir.resolve("tokenizer_config.json"),
                tmp -> json.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), config));
    }

    /**
     * Refuses, naming {@code who}, a tokenizer that does not cut the toy world's text as its word-level tokenizer
     * does: every task word one token that decodes to the word, and the words in running text the same ids. On
     * another tokenizer the tasks' answers would be unknown tokens or other ids, and every number meaningless.
     */
    public static void requireTokenizer(Tokenizer tok, String who) {
        if (CHECKED.contains(tok)) {
            return;
        }
        List<String> vocab = vocabulary(List.of());
        List<String> words = vocab.subList(2, vocab.size());
        List<String> missing = new ArrayList<>();
        int[] alone = new int[words.size()];
        for (int i = 0; i < words.size(); i++) {
            int[] ids = tok.encode(words.get(i));
            if (ids.length != 1 || !tok.decode(ids).equals(words.get(i))) {
                missing.add(words.get(i));
            } else {
                alone[i] = ids[0];
            }
        }
        if (!missing.isEmpty()) {
            throw new LoupeException(who + ": this model's tokenizer lacks " + missing.size() + " of the toy world's "
                    + words.size() + " words as single tokens (" + String.join(", ", missing.subList(0,
                    Math.min(5, missing.size()))) + (missing.size() > 5 ? ", ..." : "") + "): the toy-world studies "
                    + "and tasks run on a model trained on the toy world (the embedded one, or loupe train-toy's)");
        }
        if (!Arrays.equals(alone, tok.encode(String.join(" ", words)))) {
            throw new LoupeException(who + ": this model's tokenizer gives the toy world's words other ids in running "
                    + "text than alone (a subword tokenizer): the toy-world studies and tasks run on a model trained "
                    + "on the toy world (the embedded one, or loupe train-toy's)");
        }
        CHECKED.add(tok);
    }
}
