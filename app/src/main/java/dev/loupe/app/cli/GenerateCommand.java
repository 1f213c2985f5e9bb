package dev.loupe.app.cli;

import dev.loupe.api.Model;
import dev.loupe.api.Tensor;
import dev.loupe.api.Tokenizer;
import dev.loupe.api.generation.GenerationRequest;
import dev.loupe.api.generation.GenerationResult;
import dev.loupe.api.generation.Generator;
import dev.loupe.api.generation.Sampling;
import dev.loupe.api.generation.TokenListener;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.app.ModelLoader;
import dev.loupe.data.PromptSet;
import dev.loupe.hf.GenerationConfig;
import dev.loupe.vectors.SteeringVectorFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loupe generate}: continue prompts with the {@link Generator} (KV cache, sampling, stop rules, batches),
 * the checkpoint's {@code generation_config.json} as defaults, a steering vector or interventions at every step, and
 * the text streamed as it is chosen.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue prompts (greedy or sampled, KV cache, stop rules), optionally steered at every step.",
        footer = {"", "Example: loupe generate --model DIR --prompt \"Once upon a time\" --max-tokens 40 --temperature 0.8 "
                + "--top-p 0.95 --seed 1", "  loupe generate --prompts mine.jsonl --vector refusal-off --scale 1.5 --json"})
final class GenerateCommand extends ModelCommand {
    @ArgGroup(multiplicity = "1")
    Input input;

    /** Text, token ids or a prompt file. */
    static final class Input {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "A prompt (repeatable: a batch).")
        List<String> prompts;

        @Range(min = 0) @Option(names = "--tokens", paramLabel = "IDS", split = ",", description = "Token ids.")
        int[] tokens;

        @Option(names = "--prompts", paramLabel = "FILE.jsonl", description = "Prompts, one JSON object a line "
                + "({\"prompt\": ...} or {\"messages\": [...]}).")
        Path file;
    }

    @Option(names = "--chat", description = "Render each prompt with the model's chat template.") boolean chat;
    @Option(names = "--vector", paramLabel = "BASE", description = "A steering vector applied at every step.") Path vector;
    @Range(min = -Double.MAX_VALUE, max = Double.MAX_VALUE) @Option(names = "--scale", defaultValue = "1",
            description = "Coefficient on --vector (default: ${DEFAULT-VALUE}).") double scale;
    @Option(names = "--interventions", paramLabel = "FILE.json", description = "Interventions (JSON) at every step.")
    Path interventions;
    @Option(names = "--force", description = "Apply the vector even if it was made on another kind of model.")
    boolean force;
    @Range(min = 1) @Option(names = "--max-tokens", description = "New tokens at most (default: the checkpoint's "
            + "max_new_tokens, else what its max_length leaves, else 32).") Integer maxTokens;
    @Range(min = 0, max = Double.MAX_VALUE) @Option(names = "--temperature", description = "0 is greedy (default: "
            + "the checkpoint's generation_config.json, else greedy).") Double temperature;
    @Range(min = 0) @Option(names = "--top-k", description = "Keep the k most likely tokens (0: all).") Integer topK;
    @Range(min = 0, max = 1) @Option(names = "--top-p", description = "Nucleus mass in (0, 1].")
    Double topP;
    @Range(min = Double.MIN_VALUE, max = Double.MAX_VALUE) @Option(names = "--repetition-penalty",
            description = "HF's repetition penalty (1: none).") Double repetitionPenalty;
    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop a sequence when its text contains TEXT "
            + "(repeatable).") List<String> stops = new ArrayList<>();
    @Option(names = "--no-generation-config", description = "Ignore the checkpoint's generation_config.json.")
    boolean noGenerationConfig;
    @Option(names = "--no-kv-cache", description = "Rerun the whole sequence every step (the reference).")
    boolean noKvCache;
    @Option(names = "--cache", paramLabel = "NAMES", split = ",", description = "Hook names (or 'all') whose "
            + "activations over the whole trajectory go to --out.") List<String> cache = List.of();
    @Option(names = "--out", paramLabel = "FILE", description = "Write the cached hooks [batch, pos, ...] of the "
            + "left-padded trajectory, input_ids and attention_mask as safetensors.") Path outFile;

    @Override
    public void run() {
        CacheOption.requireOut(cache, outFile);
        Path dir = ModelLoader.directory(options.model);
        GenerationConfig checkpoint = noGenerationConfig ? new GenerationConfig(List.of(), Sampling.greedy(),
                java.util.OptionalInt.empty(), java.util.OptionalInt.empty()) : GenerationConfig.read(dir, seed);
        Sampling base = checkpoint.sampling();
        Sampling sampling = new Sampling(temperature != null ? temperature : base.temperature(),
                topK != null ? topK : base.topK(), topP != null ? topP : base.topP(),
                repetitionPenalty != null ? repetitionPenalty : base.repetitionPenalty(), seed);
        PrintWriter out = spec.commandLine().getOut();
        try (Model m = options.load(loader)) {
            Tokenizer tok = m.tokenizer();
            List<String> texts = new ArrayList<>();
            List<int[]> prompts = prompts(tok, texts);
            int promptLength = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
            int max = maxTokens != null ? maxTokens : checkpoint.newTokens(promptLength, 32);
            List<Intervention> ivs = new ArrayList<>(InterventionFile.read(interventions, loader.plugins()));
            if (vector != null) {
                SteeringVectorFile.Loaded loaded = SteeringVectorFile.read(vector);
                ModelIdentity.check(loaded.metadata().model(), m, force, spec.commandLine().getErr(), vector);
                Tensor v = loaded.vector().scale((float) scale);
                ivs.add(loaded.metadata().placement().intervention(v, false, promptLength));
            }
            int[] eos = checkpoint.eosIds().isEmpty() ? new int[] {tok.stopId()}
                    : checkpoint.eosIds().stream().mapToInt(Integer::intValue).toArray();
            GenerationRequest request = GenerationRequest.builder(prompts).maxTokens(max).sampling(sampling)
                    .stopIds(eos).stopStrings(stops).interventions(ivs).kvCache(!noKvCache)
                    .cache(CacheOption.hooks(cache, m.spec())).build();
            boolean stream = !options.json && prompts.size() == 1 && tok != Tokenizer.missing();
            if (stream) {
                out.print(texts.get(0));
                out.flush();
            }
            TokenListener listener = stream ? streamer(tok, prompts.get(0), out) : TokenListener.NONE;
            GenerationResult r = Generator.generate(m, request, listener);
            if (outFile != null) {
                Trajectory.write(outFile, prompts, r);
            }
            report(out, r, texts, stream, sampling, m);
        }
    }

    private List<int[]> prompts(Tokenizer tok, List<String> texts) {
        ChatPrompts chatPrompts = ChatPrompts.of(options, chat);
        List<int[]> out = new ArrayList<>();
        if (input.tokens != null) {
            out.add(input.tokens.clone());
            texts.add(tok == Tokenizer.missing() ? java.util.Arrays.toString(input.tokens) : tok.decode(input.tokens));
        } else if (input.file != null) {
            for (PromptSet.Example e : PromptSet.read(input.file)) {
                out.add(chatPrompts.ids(tok, e));
                texts.add(e.text());
            }
        } else {
            for (String p : input.prompts) {
                out.add(chatPrompts.ids(tok, p));
                texts.add(p);
            }
        }
        return out;
    }

    /** Prints each token's text as it comes: the new end of the completion's decoded text. */
    private static TokenListener streamer(Tokenizer tok, int[] prompt, PrintWriter out) {
        List<Integer> ids = new ArrayList<>();
        String[] shown = {""};
        return (sequence, token) -> {
            ids.add(token);
            String text = tok.decodeContinuation(prompt, ids.stream().mapToInt(Integer::intValue).toArray());
            if (text.startsWith(shown[0]) && !text.endsWith("\uFFFD")) {
                out.print(text.substring(shown[0].length()));
                out.flush();
                shown[0] = text;
            }
        };
    }

    private void report(PrintWriter out, GenerationResult r, List<String> texts, boolean streamed, Sampling s, Model m) {
        if (options.json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                GenerationResult.Completion c = r.completions().get(i);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("prompt", texts.get(i));
                row.put("text", c.text());
                row.put("tokens", c.tokens());
                row.put("finish", c.finish().name().toLowerCase(java.util.Locale.ROOT));
                rows.add(row);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("completions", rows);
            doc.put("sampling", Map.of("temperature", s.temperature(), "top_k", s.topK(), "top_p", s.topP(),
                    "repetition_penalty", s.repetitionPenalty(), "seed", s.seed()));
            doc.put("kv_cache", !noKvCache && m.capabilities().contains(dev.loupe.api.Capability.KV_CACHE));
            out.println(Json.write(doc));
            return;
        }
        if (streamed) {
            out.printf("%n[%s]%n", r.completions().get(0).finish().name().toLowerCase(java.util.Locale.ROOT));
            return;
        }
        for (int i = 0; i < texts.size(); i++) {
            GenerationResult.Completion c = r.completions().get(i);
            out.printf("%s%s  [%s]%n", texts.get(i), c.text(), c.finish().name().toLowerCase(java.util.Locale.ROOT));
        }
    }
}
