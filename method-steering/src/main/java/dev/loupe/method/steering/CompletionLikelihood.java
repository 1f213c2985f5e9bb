package dev.loupe.method.steering;

import dev.loupe.api.Logits;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.spi.EvaluationContext;
import dev.loupe.api.spi.EvaluationResult;
import dev.loupe.api.spi.Evaluator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prompts the user gives, scored by how likely the model finds their completions: for each prompt, the
 * log-probability of each completion (natural log, teacher-forced, summed over its tokens, the context's
 * interventions at every position), averaged over the prompt's promoted and over its suppressed completions. The
 * metrics are the means over prompts: {@code promote_logprob}, {@code suppress_logprob}, and {@code margin}, their
 * difference over the prompts that have both.
 */
public final class CompletionLikelihood implements Evaluator {
    private final List<Datapoint> prompts;

    /** {@code prompts}: prompt ids (BOS included by the caller's policy) with tokenised completions. */
    public CompletionLikelihood(List<Datapoint> prompts) {
        if (prompts.isEmpty() || prompts.stream().anyMatch(d -> d.promote().isEmpty() && d.suppress().isEmpty())) {
            throw new LoupeException("every scored prompt needs a completion to promote or suppress");
        }
        this.prompts = List.copyOf(prompts);
    }

    @Override
    public String name() {
        return "completions";
    }

    @Override
    public String description() {
        return "log-probability of the given completions of the given prompts";
    }

    @Override
    public EvaluationResult evaluate(Model model, EvaluationContext context) {
        double promote = 0;
        double suppress = 0;
        double margin = 0;
        int withPromote = 0;
        int withSuppress = 0;
        int withBoth = 0;
        int n = Math.min(context.limit(), prompts.size());
        for (int i = 0; i < n; i++) {
            Datapoint d = prompts.get(i);
            List<int[]> seqs = SteeringLosses.sequences(d);
            Tensor logits = model.run(new RunRequest(seqs, RunRequest.Padding.RIGHT, Set.of(), context.interventions(),
                    RunRequest.LogitsMode.ALL)).logits();
            double p = mean(logits, d, d.promote(), 0);
            double s = mean(logits, d, d.suppress(), d.promote().size());
            if (!d.promote().isEmpty()) {
                promote += p;
                withPromote++;
            }
            if (!d.suppress().isEmpty()) {
                suppress += s;
                withSuppress++;
            }
            if (!d.promote().isEmpty() && !d.suppress().isEmpty()) {
                margin += p - s;
                withBoth++;
            }
            context.progress().update("completions", i + 1, n, "prompts");
        }
        Map<String, Double> metrics = new java.util.TreeMap<>();
        if (withPromote > 0) {
            metrics.put("promote_logprob", promote / withPromote);
        }
        if (withSuppress > 0) {
            metrics.put("suppress_logprob", suppress / withSuppress);
        }
        if (withBoth > 0) {
            metrics.put("margin", margin / withBoth);
        }
        return new EvaluationResult(name(), metrics, n);
    }

    /** The mean log-probability of {@code completions}, sequences {@code first}, first + 1, … of the batch. */
    private static double mean(Tensor logits, Datapoint d, List<int[]> completions, int first) {
        double sum = 0;
        for (int c = 0; c < completions.size(); c++) {
            int[] y = completions.get(c);
            Tensor seq = logits.select(first + c);
            for (int k = 0; k < y.length; k++) {
                sum += Logits.logSoftmax(seq.select(d.prompt().length - 1 + k).toArray())[y[k]];
            }
        }
        return completions.isEmpty() ? 0 : sum / completions.size();
    }
}
