package dev.loupe.app.demo;

import dev.loupe.api.Model;
import dev.loupe.api.spi.EvaluationContext;
import dev.loupe.api.spi.Plugins;
import dev.loupe.api.spi.Progress;
import dev.loupe.app.circuit.GreaterThanCircuit;
import dev.loupe.app.obsprop.CouplingStudy;
import dev.loupe.app.obsprop.FeatureStudy;
import dev.loupe.app.obsprop.ProbeComparison;
import dev.loupe.eval.toy.Windows;
import dev.loupe.method.obsprop.ComponentRanking;
import dev.loupe.method.transcoder.ActivationHarvest;
import dev.loupe.method.transcoder.TranscoderMetrics;
import dev.loupe.method.transcoder.TranscoderTraining;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code loupe demo}: the three methods on one model, end to end. Steering on refusal, a transcoder on the last MLP
 * with its metrics, the greater-than circuit through a transcoder on MLP0 (where the YY token is read), and ObsProp
 * on the pronoun task. {@code quick} shrinks every
 * budget (for tests); the results are then smaller, not different in kind.
 *
 * @param seconds wall time per stage
 */
public record Demo(SteeringDemo steering, TranscoderMetrics transcoder, Map<String, Double> greaterThanClean,
                   Map<String, Double> greaterThanSpliced, GreaterThanCircuit circuit, FeatureStudy features,
                   CouplingStudy coupling, ProbeComparison comparison, Map<String, Double> seconds) {

    public static Demo run(Model m, Plugins plugins, Path work, boolean quick, long seed, Progress progress) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        SteeringDemo steering = SteeringDemo.run(m, plugins.evaluator("refusal"), quick ? 40 : 200, seed, progress);
        long t1 = lap(seconds, "steering", t0);

        var trained = transcoder(m, m.spec().nLayers() - 1, work.resolve("transcoder"), quick, seed, progress);
        List<int[]> eval = new ArrayList<>();
        Windows fresh = Windows.toyWorld(m, 7 + seed);
        for (int i = 0; i < (quick ? 16 : 64); i++) {
            eval.add(fresh.next());
        }
        progress.update("transcoder eval", 0, 1, "");
        TranscoderMetrics metrics = TranscoderMetrics.evaluate(m, trained.transcoder(), eval);
        var gt = plugins.evaluator("greater-than");
        Map<String, Double> clean = gt.evaluate(m, new EvaluationContext(seed, 200, List.of(), Progress.NONE)).metrics();
        Map<String, Double> spliced = gt.evaluate(m, new EvaluationContext(seed, 200,
                List.of(trained.transcoder().splice()), Progress.NONE)).metrics();
        var first = transcoder(m, 0, work.resolve("transcoder-0"), quick, seed, progress);
        GreaterThanCircuit circuit = GreaterThanCircuit.run(m, Map.of(0, first.transcoder()),
                "The war lasted from the year 1732 to the year 17", 10, 3);
        progress.update("transcoder eval", 1, 1, "");
        long t2 = lap(seconds, "transcoder", t1);

        progress.update("obsprop", 0, 3, "features");
        FeatureStudy features = FeatureStudy.run(m, quick ? 24 : 64, ComponentRanking.Paths.THROUGH_MLPS, seed);
        progress.update("obsprop", 1, 3, "coupling");
        CouplingStudy coupling = CouplingStudy.run(m, quick ? 16 : 64, seed);
        progress.update("obsprop", 2, 3, "probes");
        ProbeComparison comparison = ProbeComparison.run(m, m.spec().nLayers() / 2, quick ? 100 : 300, quick ? 4 : 20,
                seed);
        progress.update("obsprop", 3, 3, "");
        lap(seconds, "obsprop", t2);
        return new Demo(steering, metrics, clean, spliced, circuit, features, coupling, comparison, seconds);
    }

    /** A transcoder on one layer's MLP, harvested from and trained on toy-world text, written under dir. */
    private static TranscoderTraining.Result transcoder(Model m, int layer, Path dir, boolean quick, long seed,
                                                        Progress progress) {
        ActivationHarvest h = ActivationHarvest.run(m, layer, Windows.toyWorld(m, 100 + seed),
                quick ? 20_000 : 100_000, 50_000, dir.resolve("activations"), progress);
        TranscoderTraining.Config c = quick ? new TranscoderTraining.Config(4, 1.0, 1e-3, 50, 400, 512, 8192, 1000,
                true, 0, seed) : TranscoderTraining.Config.defaults().withSeed(seed);
        return TranscoderTraining.train(m, h, c, dir.resolve("weights"), false, progress);
    }

    private static long lap(Map<String, Double> seconds, String stage, long since) {
        long now = System.nanoTime();
        seconds.put(stage, (now - since) / 1e9);
        return now;
    }
}
