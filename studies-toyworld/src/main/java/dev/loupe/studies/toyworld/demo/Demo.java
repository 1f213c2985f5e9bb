package dev.loupe.studies.toyworld.demo;

import dev.loupe.api.Model;
import dev.loupe.api.spi.EvaluationContext;
import dev.loupe.api.spi.Plugins;
import dev.loupe.api.spi.Progress;
import dev.loupe.api.spi.TextSummary;
import dev.loupe.studies.toyworld.circuit.GreaterThanCircuit;
import dev.loupe.studies.toyworld.obsprop.CouplingStudy;
import dev.loupe.studies.toyworld.obsprop.FeatureStudy;
import dev.loupe.studies.toyworld.obsprop.ProbeComparison;
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
                   CouplingStudy coupling, ProbeComparison comparison, Map<String, Double> seconds)
        implements TextSummary {

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

    @Override
    public List<String> lines() {
        List<Double> refused = steering.conditions().stream().limit(2)
                .map(c -> c.metrics().get("forbidden_refused")).toList();
        String path = circuit.path().isEmpty() ? "no path of shape feature <- head <- YY"
                : String.join(" <- ", circuit.path().stream().map(id -> circuit.graph().node(id).label()).toList());
        return List.of(
                String.format("steering: +v answers %.0f%% of held-out forbidden requests (unsteered %.0f%%)",
                        100 * (1 - refused.get(1)), 100 * (1 - refused.get(0))),
                String.format("transcoder: L0 %.1f, explained variance %.3f, ce_loss_score %.3f", transcoder.l0(),
                        transcoder.explainedVariance(), transcoder.ceLossScore()),
                String.format("circuit (transcoder on MLP0): %s; de-embedding peak vs logit-effect step over the "
                        + "task: correlation %.2f, median distance %.1f years", path, circuit.sweep().correlation(),
                        circuit.sweep().medianDistance()),
                String.format("obsprop: mover %s, %d of top-3 ablation heads in the top-3 by norm, AUC %.3f with one "
                        + "example per class", features.mover(), features.topThreeShared(), comparison.obsProp()),
                "ran in " + seconds.values().stream().mapToDouble(Double::doubleValue).sum() + " s");
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
