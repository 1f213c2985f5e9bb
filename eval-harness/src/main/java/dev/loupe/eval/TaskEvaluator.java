package dev.loupe.eval;

import dev.loupe.api.Logits;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.Tokenizer;
import dev.loupe.api.spi.EvaluationContext;
import dev.loupe.api.spi.EvaluationResult;
import dev.loupe.api.spi.Evaluator;
import dev.loupe.eval.toy.TaskExample;
import dev.loupe.eval.toy.ToyTask;
import dev.loupe.eval.toy.ToyWorld;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Scores a model on a toy task's held-out split: the share of prompts whose most likely next token (over the
 * whole vocabulary) is a valid answer, plus the mean probability mass on valid answers. Prompts start with BOS.
 */
public abstract class TaskEvaluator implements Evaluator {
    private static final int BATCH = 64;
    private final ToyTask task;

    protected TaskEvaluator(ToyTask task) {
        this.task = task;
    }

    @Override
    public String name() {
        return task.name();
    }

    @Override
    public String description() {
        return "toy-world task '" + task.name() + "', held-out split: top-1 accuracy and probability on valid answers";
    }

    /** The held-out examples an evaluation with this seed and limit scores. */
    public List<TaskExample> examples(long seed, int limit) {
        Random rnd = new Random(seed);
        List<TaskExample> out = new ArrayList<>();
        for (int i = 0; i < (limit > 0 ? limit : 400); i++) {
            out.add(task.sample(rnd, true));
        }
        return out;
    }

    @Override
    public EvaluationResult evaluate(Model model, EvaluationContext context) {
        Tokenizer tok = model.tokenizer();
        ToyWorld.requireTokenizer(tok, "evaluator '" + name() + "'");
        List<TaskExample> examples = examples(context.seed(), context.limit());
        Map<String, Double> sums = new LinkedHashMap<>();
        Map<String, Integer> counts = new HashMap<>();
        for (int from = 0; from < examples.size(); from += BATCH) {
            List<TaskExample> chunk = examples.subList(from, Math.min(from + BATCH, examples.size()));
            List<int[]> prompts = new ArrayList<>();
            for (TaskExample e : chunk) {
                prompts.add(promptIds(tok, e.prompt()));
            }
            Tensor last = model.run(new RunRequest(prompts, RunRequest.Padding.LEFT, java.util.Set.of(),
                    context.interventions(), RunRequest.LogitsMode.LAST)).logits();
            for (int i = 0; i < chunk.size(); i++) {
                double[] p = Logits.softmax(last.select(i).toArray());
                TaskExample e = chunk.get(i);
                double mass = 0;
                for (String a : e.answers()) {
                    mass += p[id(tok, a)];
                }
                boolean correct = e.answers().contains(tok.token(argmax(p)));
                for (Map.Entry<String, Double> m : metrics(e, p, mass, correct, tok).entrySet()) {
                    sums.merge(m.getKey(), m.getValue(), Double::sum);
                    counts.merge(m.getKey(), 1, Integer::sum);
                }
            }
            context.progress().update(task.name(), Math.min(from + BATCH, examples.size()), examples.size(), "");
        }
        Map<String, Double> means = new LinkedHashMap<>();
        sums.forEach((k, v) -> means.put(k, v / counts.get(k)));
        return new EvaluationResult(task.name(), means, examples.size());
    }

    /** Per-example metrics; subclasses add task-specific ones. */
    protected Map<String, Double> metrics(TaskExample e, double[] p, double mass, boolean correct, Tokenizer tok) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", correct ? 1.0 : 0.0);
        m.put("valid_probability", mass);
        return m;
    }

    /** The prompt's tokens under the one BOS policy ({@link Tokenizer#encodeWithBos}). */
    public static int[] promptIds(Tokenizer tok, String prompt) {
        return tok.encodeWithBos(prompt);
    }

    /** The id of a one-token word; a clear error if the tokenizer splits it. */
    public static int id(Tokenizer tok, String word) {
        int[] ids = tok.encode(word);
        if (ids.length != 1) {
            throw new LoupeException("answer '" + word + "' is " + ids.length + " tokens for this tokenizer, expected 1"
                    + " (is this model trained on the toy world? " + ToyWorld.BOS + ")");
        }
        return ids[0];
    }

    static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
}
