package dev.loupe.app.cli;

import dev.loupe.api.Capability;
import dev.loupe.api.Model;
import dev.loupe.api.generation.GenerationRequest;
import dev.loupe.api.generation.Generator;
import dev.loupe.api.spi.Engine;
import dev.loupe.api.spi.ModelSource;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generation timings through the api's {@link Generator}, greedy, no stop ids (every sequence runs to the end):
 * prefill is the time to the first new token (a one-token generation), decode the tokens/s of the steps after it,
 * total the whole generation; with the engine's KV cache (where it has one) and without (the whole sequence rerun
 * each step). Timed
 * runs alternate between the cases, so each sees the same JVM state and machine load ({@link BenchClock} parks the
 * engine threads of the case before).
 */
final class GenerationBench {
    private GenerationBench() {}

    /** One engine, one batch size, cached or not; times are medians in ms. */
    record Row(String engine, int batch, boolean cached, double prefillMs, double totalMs, int newTokens) {
        double decodeTokensPerSecond() {
            return batch * (newTokens - 1) / ((totalMs - prefillMs) / 1000);
        }

        double prefillTokensPerSecond(int promptTokens) {
            return batch * promptTokens / (prefillMs / 1000);
        }
    }

    private record Case(Model model, String engine, int batch, boolean cached) {}

    static List<Row> run(ModelSource source, List<Engine> engines, int promptTokens, int newTokens, int[] batches,
                         int iterations) {
        List<Model> models = new ArrayList<>();
        try {
            for (Engine e : engines) {
                models.add(e.load(source));
            }
            SplittableRandom rnd = new SplittableRandom(3);
            int vocab = models.get(0).spec().dVocab();
            List<Case> cases = new ArrayList<>();
            for (int b : batches) {
                for (int m = 0; m < models.size(); m++) {
                    if (models.get(m).capabilities().contains(Capability.KV_CACHE)) {
                        cases.add(new Case(models.get(m), engines.get(m).name(), b, true));
                    }
                    cases.add(new Case(models.get(m), engines.get(m).name(), b, false));
                }
            }
            List<List<int[]>> prompts = new ArrayList<>();
            for (Case c : cases) {
                List<int[]> p = new ArrayList<>();
                for (int i = 0; i < c.batch(); i++) {
                    p.add(rnd.ints(promptTokens, 0, vocab).toArray());
                }
                prompts.add(p);
            }
            double[][] prefill = new double[cases.size()][iterations];
            double[][] total = new double[cases.size()][iterations];
            for (int k = 0; k < cases.size(); k++) {
                time(cases.get(k), prompts.get(k), newTokens); // warm-up: graphs, sessions, JIT
            }
            for (int i = 0; i < iterations; i++) {
                for (int k = 0; k < cases.size(); k++) {
                    prefill[k][i] = time(cases.get(k), prompts.get(k), 1);
                    total[k][i] = time(cases.get(k), prompts.get(k), newTokens);
                }
            }
            List<Row> rows = new ArrayList<>();
            for (int k = 0; k < cases.size(); k++) {
                Case c = cases.get(k);
                rows.add(new Row(c.engine(), c.batch(), c.cached(), BenchClock.median(prefill[k]), BenchClock.median(total[k]), newTokens));
            }
            return rows;
        } finally {
            models.forEach(Model::close);
        }
    }

    private static double time(Case c, List<int[]> prompts, int newTokens) {
        GenerationRequest request = GenerationRequest.builder(prompts).maxTokens(newTokens).kvCache(c.cached())
                .build();
        return BenchClock.time(() -> Generator.generate(c.model(), request));
    }
}
