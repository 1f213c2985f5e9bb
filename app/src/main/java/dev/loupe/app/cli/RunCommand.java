package dev.loupe.app.cli;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Logits;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.io.SafetensorsWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** One forward pass: the top next tokens, and optionally a cache of activations written as safetensors. */
@Command(name = "run", mixinStandardHelpOptions = true,
        footer = {"", "Example: loupe run --prompt \"The war lasted from the year 1732 to the year 17\" --top-k 5 --cache all --out cache.safetensors"},
        description = "Run the model on a prompt; print the top-k next tokens; optionally cache activations.")
public final class RunCommand extends ModelCommand {
    @ArgGroup(multiplicity = "1")
    Input input;

    /** Text or token ids. */
    static final class Input {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "Text, tokenized by the model's tokenizer.")
        String prompt;

        @Range(min = 0) @Option(names = "--tokens", paramLabel = "IDS", split = ",", description = "Token ids, comma-separated.")
        int[] tokens;
    }

    @Option(names = "--bos", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "With --prompt, prepend the tokenizer's BOS token when it has one (default: on; --no-bos).")
    boolean bos;

    @Range(min = 1) @Option(names = "--top-k", defaultValue = "5", description = "How many next tokens to show (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--cache", paramLabel = "NAMES", split = ",",
            description = "Hook names to cache, comma-separated, or 'all'.")
    List<String> cache = List.of();

    @Option(names = "--interventions", paramLabel = "FILE.json",
            description = "Interventions (JSON: one or a list, the api's form) applied in the forward.")
    Path interventions;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Write logits [batch, pos, vocab], input_ids and any cached hooks as safetensors.")
    Path out;

    @Override
    public void run() {
        CacheOption.requireOut(cache, out);
        List<Intervention> ivs = InterventionFile.read(interventions, loader.plugins());
        try (Model m = options.load(loader)) {
            Set<HookPoint> hooks = CacheOption.hooks(cache, m.spec());
            int[] ids = tokens(m);
            RunResult r = m.run(RunRequest.of(ids).withCache(hooks)
                    .withInterventions(ivs));
            List<Map<String, Object>> top = topTokens(m, r.logits().select(0).select(ids.length - 1));
            if (out != null) {
                Map<String, Tensor> tensors = new LinkedHashMap<>();
                tensors.put("logits", r.logits());
                r.cache().forEach((h, t) -> tensors.put(h.name(), t));
                long[] longIds = Arrays.stream(ids).asLongStream().toArray();
                SafetensorsWriter.write(out, tensors, Map.of("input_ids",
                        new SafetensorsWriter.LongTensor(new int[] {1, ids.length}, longIds)), Map.of("format", "pt"));
            }
            print(m, ids, top, hooks);
        }
    }

    private int[] tokens(Model m) {
        if (input.tokens != null) {
            return input.tokens;
        }
        int[] ids = bos ? m.tokenizer().encodeWithBos(input.prompt) : m.tokenizer().encode(input.prompt);
        if (ids.length == 0) {
            throw new LoupeException("the prompt is empty after tokenization");
        }
        return ids;
    }

    private List<Map<String, Object>> topTokens(Model m, Tensor logits) {
        float[] l = logits.toArray();
        double[] p = Logits.softmax(l);
        Integer[] order = new Integer[l.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Float.compare(l[b], l[a]));
        List<Map<String, Object>> top = new ArrayList<>();
        for (int k = 0; k < Math.min(topK, l.length); k++) {
            int id = order[k];
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", id);
            row.put("token", tokenText(m, id));
            row.put("logit", l[id]);
            row.put("prob", p[id]);
            top.add(row);
        }
        return top;
    }

    private static String tokenText(Model m, int id) {
        try {
            return m.tokenizer().decode(new int[] {id});
        } catch (LoupeException e) {
            return null;
        }
    }

    private void print(Model m, int[] ids, List<Map<String, Object>> top, Set<HookPoint> hooks) {
        PrintWriter w = spec.commandLine().getOut();
        if (options.json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("engine", m.engineName());
            doc.put("tokens", ids);
            doc.put("top_k", top);
            if (interventions != null) {
                doc.put("interventions", interventions.toString());
            }
            if (out != null) {
                doc.put("cache", Map.of("file", out.toString(), "hooks", hooks.stream().map(HookPoint::name).toList()));
            }
            w.println(Json.write(doc));
            return;
        }
        w.println("engine " + m.engineName() + ", " + ids.length + " tokens " + Arrays.toString(ids));
        w.println("rank  id      prob     logit     token");
        for (int k = 0; k < top.size(); k++) {
            Map<String, Object> row = top.get(k);
            w.printf("%-5d %-7s %-8.4f %-9.4f %s%n", k + 1, row.get("id"), (Double) row.get("prob"),
                    (Float) row.get("logit"), row.get("token") == null ? "" : "'" + row.get("token") + "'");
        }
        if (out != null) {
            w.println("wrote logits, input_ids and " + hooks.size() + " activations to " + out);
        }
    }
}
