package dev.loupe.method.transcoder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.spi.EvaluationContext;
import dev.loupe.api.spi.Evaluator;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.api.spi.Progress;
import dev.loupe.api.spi.TextSummary;
import dev.loupe.data.TokenWindows;
import dev.loupe.data.TokenizerPolicy;
import dev.loupe.dictionary.Transcoder;
import dev.loupe.dictionary.TranscoderFile;
import dev.loupe.io.AtomicFiles;
import dev.loupe.json.LoupeJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A transcoder judged in the model as a plugin: SAELens's metrics on the user's text ({@link TranscoderMetrics}:
 * CE-loss score, KL, explained variance, L0, dead fraction, density histogram) and, for each evaluator plugin named,
 * its metrics clean and with the transcoder spliced in; written as {@code eval.json}. {@code loupe transcoder eval
 * --corpus} is a front-end over it; {@link #evaluate} is the one evaluation every source of windows goes through.
 */
public final class TranscoderEvalMethod implements Method<TranscoderEvalMethod.Config> {
    private static final ObjectMapper JSON = LoupeJson.pretty();

    /**
     * What to evaluate.
     *
     * @param transcoder a SAELens folder (any architecture), a Gemma Scope {@code params.npz} or a circuit-tracer set
     * @param corpus     the text scored: .jsonl, .parquet, plain text, or a folder of them
     * @param field      the JSONL field or Parquet column holding the text ("": {@code text})
     * @param policy     how the corpus becomes windows (context, stride, BOS)
     * @param windows    windows scored (fewer when the corpus ends)
     * @param evaluators evaluator plugins scored clean and with the transcoder spliced in
     * @param force      evaluate a transcoder made on another kind of model (with a warning)
     */
    public record Config(String transcoder, String corpus, String field, TokenizerPolicy policy, int windows,
                         List<String> evaluators, boolean force) {}

    /** An evaluator's metrics without and with the splice. */
    public record Spliced(Map<String, Double> clean, Map<String, Double> spliced) {}

    /** The transcoder, the text, its metrics, and each evaluator's clean and spliced metrics. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Evaluation(String transcoder, String hookIn, String hookOut, int dSae, String corpus,
                             TranscoderMetrics metrics, Map<String, Spliced> evaluators) implements TextSummary {
        @Override
        public List<String> lines() {
            TranscoderMetrics x = metrics;
            List<String> out = new ArrayList<>(List.of(
                    String.format("%s -> %s, %d features, %d tokens of %s", hookIn, hookOut, dSae, x.tokens(), corpus),
                    String.format("l0 %.2f  mse %.4f  explained_variance %.4f  dead %.3f", x.l0(), x.mse(),
                            x.explainedVariance(), x.deadFraction()),
                    String.format("ce_loss_score %.4f  (CE clean %.4f, with transcoder %.4f, MLP zeroed %.4f)  "
                            + "kl_div_with_sae %.4f", x.ceLossScore(), x.ceClean(), x.ceWithTranscoder(),
                            x.ceZeroAblated(), x.klDivWithSae()),
                    "feature density histogram, log10 bins [-6,-5) .. [-1,0]: "
                            + Arrays.toString(x.densityHistogram())));
            evaluators.forEach((name, s) -> s.clean().forEach((metric, clean) -> out.add(String.format(
                    "%s %s: clean %.3f, transcoder spliced %.3f", name, metric, clean, s.spliced().get(metric)))));
            return out;
        }
    }

    @Override
    public String name() {
        return "transcoder-eval";
    }

    @Override
    public String description() {
        return "SAELens metrics of a transcoder on a corpus, and evaluators with it spliced in";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /** Transcoder and corpus must be given; 64 n_ctx windows with BOS per document, no evaluators. */
    @Override
    public Config defaults(ModelSpec spec) {
        return new Config(null, null, "", TokenizerPolicy.defaults(), 64, List.of(), false);
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        var model = context.model();
        try (TokenWindows windows = TokenWindows.over(model, config.corpus(), config.field(), config.policy())) {
            return evaluate(context, name(), config.transcoder(), config.force(), windows, config.windows(),
                    config.evaluators(), config.corpus());
        }
    }

    /**
     * The evaluation on the first {@code count} of {@code windows}, as the plugin {@code method} reports it, after
     * the made-on check ({@code force}: apply a transcoder of another kind of model).
     */
    public static MethodResult evaluate(MethodContext context, String method, String transcoder, boolean force,
                                        Iterator<int[]> windows, int count, List<String> evaluators, String corpus) {
        if (count < 1) {
            throw new LoupeException(method + ": windows must be at least 1, got " + count);
        }
        Model m = context.model();
        List<Evaluator> judges = evaluators.stream().map(context.plugins()::evaluator).toList();
        Transcoder t = TranscoderFile.readFor(Path.of(transcoder), m, force, context.progress());
        List<int[]> scored = TokenWindows.take(windows, count);
        TranscoderMetrics metrics = TranscoderMetrics.evaluate(m, t, scored);
        Map<String, Spliced> byEvaluator = new LinkedHashMap<>();
        for (Evaluator e : judges) {
            byEvaluator.put(e.name(), new Spliced(
                    e.evaluate(m, new EvaluationContext(context.seed(), 200, List.of(), Progress.NONE)).metrics(),
                    e.evaluate(m, new EvaluationContext(context.seed(), 200, List.of(t.splice()), Progress.NONE))
                            .metrics()));
        }
        Evaluation r = new Evaluation(transcoder, t.hookIn().name(), t.hookOut().name(), t.dSae(), corpus, metrics,
                byEvaluator);
        Path file = context.outputDir().resolve("eval.json");
        AtomicFiles.write(file, tmp -> JSON.writeValue(tmp.toFile(), r));
        Map<String, Double> flat = new LinkedHashMap<>();
        flat.put("l0", metrics.l0());
        flat.put("explained_variance", metrics.explainedVariance());
        flat.put("ce_loss_score", metrics.ceLossScore());
        flat.put("kl_div_with_sae", metrics.klDivWithSae());
        flat.put("dead_fraction", metrics.deadFraction());
        return new MethodResult(method, flat, r, List.of(file));
    }
}
