package dev.loupe.app.cli;

import dev.loupe.api.Model;
import dev.loupe.api.spi.EvaluationContext;
import dev.loupe.api.spi.EvaluationResult;
import dev.loupe.api.spi.Evaluator;
import dev.loupe.api.spi.Progress;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Runs evaluators on a model and prints their metrics as a table. */
final class EvalTable {
    private EvalTable() {}

    static List<EvaluationResult> run(Model model, Collection<Evaluator> evaluators, long seed, int limit, Progress p) {
        List<EvaluationResult> results = new ArrayList<>();
        for (Evaluator e : evaluators) {
            results.add(e.evaluate(model, new EvaluationContext(seed, limit, List.of(), p)));
        }
        return results;
    }

    static void print(PrintWriter w, List<EvaluationResult> results) {
        EvaluationResult.table(results).forEach(w::println);
    }
}
