package dev.loupe.method.steering;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.Tensor;
import dev.loupe.api.Tokenizer;
import dev.loupe.api.spi.EvaluationResult;
import dev.loupe.api.spi.Evaluator;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.api.spi.TextSummary;
import dev.loupe.data.TokenizerPolicy;
import dev.loupe.vectors.SteeringVectorFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a steering vector transfers, as a plugin: an evaluator plugin's held-out split, or the user's own prompts
 * (the log-probability of their completions, a judge of the text the model writes, or both), scored unsteered,
 * with +v, with −v and with a random vector of the same norm ({@link TransferEvaluation}), and CAA from the
 * prompts' own pairs when they have them. {@code loupe steer eval} is a front-end over it.
 */
public final class SteeringEvalMethod implements Method<SteeringEvalMethod.Config> {
    /**
     * What to score.
     *
     * @param vector         the vector file's base name (as {@code steer optimize --out} wrote it)
     * @param scale          the coefficient on the vector
     * @param force          apply a vector made on another kind of model (with a warning)
     * @param task           an evaluator plugin ("" when {@code prompts} are given)
     * @param prompts        the user's prompts, with completions to promote and to suppress ({@code []} for none)
     * @param rendered       the prompts are a chat template's output: encoded as they are, without adding BOS
     * @param judge          "" for none, {@code refusal} or {@code regex:PATTERN}: continue each prompt greedily and
     *                       judge the text
     * @param refusalPhrases the refusal judge's phrases ({@code []}: Arditi et al.'s list)
     * @param maxTokens      tokens generated per prompt for the judge
     * @param limit          held-out prompts of {@code task} scored
     */
    public record Config(String vector, double scale, boolean force, String task, List<SteeringMethod.Example> prompts,
                         boolean rendered, String judge, List<String> refusalPhrases, int maxTokens, int limit) {}

    /**
     * The conditions' scores, and what was scored: the task or prompts, the vector (its file, norm after scaling,
     * form and hook) and the engine. JSON holds all of it, the conditions as a list under {@code conditions}.
     */
    public record Evaluation(String scored, String vector, double norm, String form, String hook, String engine,
                             List<EvaluationResult> conditions) implements TextSummary {
        @Override
        public List<String> lines() {
            List<String> out = new ArrayList<>();
            out.add(String.format("task %s, vector %s (norm %.3f, %s at %s, engine %s)", scored, vector, norm, form,
                    hook, engine));
            out.addAll(EvaluationResult.table(conditions));
            return out;
        }
    }

    @Override
    public String name() {
        return "steering-eval";
    }

    @Override
    public String description() {
        return "a steering vector's transfer: a task or your prompts unsteered, +v, -v, random of the same norm, CAA";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /** The vector must be given; scale 1, the refusal task's 200 held-out prompts, no prompts of the user's. */
    @Override
    public Config defaults(ModelSpec spec) {
        return new Config(null, 1, false, "refusal", List.of(), false, "", List.of(), 24, 200);
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        Model m = context.model();
        SteeringVectorFile.Loaded loaded = SteeringVectorFile.readFor(Path.of(config.vector()), m, config.force(),
                context.progress());
        SteeringVectorFile.Metadata meta = loaded.metadata();
        Tensor v = loaded.vector().scale((float) config.scale());
        Map<String, Tensor> baselines = new LinkedHashMap<>();
        Evaluator scorer;
        String scored;
        if (!config.prompts().isEmpty()) {
            if (!config.task().isEmpty()) {
                throw new LoupeException(name() + ": give task or prompts, not both (task '" + config.task() + "')");
            }
            scorer = userPrompts(m, config, meta.layer(), baselines);
            scored = config.prompts().size() + " prompts";
        } else {
            if (!config.judge().isEmpty() || !config.refusalPhrases().isEmpty()) {
                throw new LoupeException(name() + ": judge and refusalPhrases apply to prompts, not to a task");
            }
            scorer = context.plugins().evaluator(config.task());
            scored = config.task();
        }
        List<EvaluationResult> results = TransferEvaluation.conditions(m, scorer, meta.placement(), v, baselines,
                context.seed(), config.limit());
        Evaluation e = new Evaluation(scored, config.vector(), v.norm(), meta.form().toString(), meta.hook(),
                m.engineName(), results);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("norm", v.norm());
        metrics.put("conditions", (double) results.size());
        return new MethodResult(name(), metrics, e, List.of());
    }

    /** Completion likelihoods when every prompt has completions, the judge when asked for, CAA from the pairs. */
    private static Evaluator userPrompts(Model m, Config config, int layer, Map<String, Tensor> baselines) {
        Tokenizer tok = m.tokenizer();
        List<SteeringMethod.Example> set = config.prompts();
        List<int[]> ids = new ArrayList<>();
        for (int i = 0; i < set.size(); i++) {
            ids.add(TokenizerPolicy.promptIds(tok, set.get(i).prompt(), config.rendered(),
                    "prompt " + (i + 1) + " ('" + set.get(i).prompt() + "')"));
        }
        boolean completions = set.stream().allMatch(e -> !e.promote().isEmpty() || !e.suppress().isEmpty());
        if (!completions && config.judge().isEmpty()) {
            throw new LoupeException("a prompt has no promote or suppress completion; give every prompt one, or "
                    + "a judge to score what the model writes");
        }
        List<Evaluator> parts = new ArrayList<>();
        if (completions) {
            List<Datapoint> points = new ArrayList<>();
            for (int i = 0; i < set.size(); i++) {
                points.add(Datapoint.of(tok, ids.get(i), set.get(i).promote(), set.get(i).suppress()));
            }
            parts.add(new CompletionLikelihood(points));
            MeanDifference.ofPairs(m, layer, points).ifPresent(caa -> baselines.put(
                    "CAA, these prompts' pairs (in-sample)", caa));
        }
        if (!config.judge().isEmpty()) {
            parts.add(new GeneratedTextJudge(ids, GeneratedTextJudge.Judge.parse(config.judge(),
                    config.refusalPhrases().isEmpty() ? null : config.refusalPhrases()), config.maxTokens(), tok));
        } else if (!config.refusalPhrases().isEmpty()) {
            throw new LoupeException("refusalPhrases apply with the judge refusal");
        }
        return CombinedEvaluator.of(parts);
    }
}
