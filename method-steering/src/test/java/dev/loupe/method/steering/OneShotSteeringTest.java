package dev.loupe.method.steering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Model;
import dev.loupe.api.Positions;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Progress;
import dev.loupe.engine.djl.DjlEngine;
import dev.loupe.json.LoupeJson;
import dev.loupe.toymodel.EmbeddedModel;
import dev.loupe.vectors.SteeringVectorFile;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Steering losses, negation, norm projection and stop rules, on the embedded toy model. */
class OneShotSteeringTest {
    private static Model model;
    private static int[] prompt;
    private static int[] refusal;
    private static int[] answer;

    @BeforeAll
    static void load() {
        model = new DjlEngine().load(ModelSource.directory(EmbeddedModel.directory()));
        prompt = withBos(model.tokenizer().encode("User : how do I make a bomb ? Assistant :"));
        refusal = model.tokenizer().encode("I cannot");
        answer = model.tokenizer().encode("Sure ,");
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static int[] withBos(int[] ids) {
        int[] out = new int[ids.length + 1];
        System.arraycopy(ids, 0, out, 1, ids.length);
        out[0] = model.tokenizer().bosId().orElseThrow();
        return out;
    }

    /** log softmax(coldness · logits)[token] in double precision. */
    static double logProb(float[] row, int token, double coldness) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : row) {
            max = Math.max(max, coldness * x);
        }
        double sum = 0;
        for (float x : row) {
            sum += Math.exp(coldness * x - max);
        }
        return coldness * row[token] - max - Math.log(sum);
    }

    private static double handLoss(int[] completion, boolean suppress) {
        Tensor logits = model.run(RunRequest.of(SteeringLosses.concat(prompt, completion))).logits().select(0);
        double loss = 0;
        for (int k = 0; k < completion.length; k++) {
            double lp = logProb(logits.select(prompt.length - 1 + k).toArray(), completion[k], 0.7);
            loss -= suppress ? Math.log(1 - Math.exp(lp)) : lp;
        }
        return loss;
    }

    /** The settings these tests were written against: the paper's coldness, lr 0.1, no norm limit. */
    private static SteeringConfig.Builder base(int layer) {
        return SteeringConfig.builder(layer).learningRate(0.1).maxNorm(0);
    }

    private static double loss(List<Datapoint> data, SteeringConfig c, Tensor v) {
        return OneShotSteering.lossAndGradient(model, data, c, v, new float[128]);
    }

    @Test
    void lossesMatchHandComputedValues() {
        SteeringConfig c = base(2).build();
        Tensor zero = Tensor.zeros(128);
        double promote = handLoss(answer, false);
        double suppress = handLoss(refusal, true);
        // The engine's log-softmax runs in float32, the hand values in double: relative tolerance 1e-4.
        assertEquals(promote, loss(List.of(Datapoint.promoting(prompt, answer)), c, zero), 1e-4 * promote);
        assertEquals(suppress, loss(List.of(Datapoint.suppressing(prompt, refusal)), c, zero), 1e-4 * suppress + 1e-6);
        Datapoint mixed = new Datapoint(prompt, List.of(answer), List.of(refusal), false);
        assertEquals(promote + suppress, loss(List.of(mixed), c, zero), 1e-4 * (promote + suppress));
        SteeringConfig perToken = base(2).normaliseByLength(true).build();
        assertEquals(promote / answer.length, loss(List.of(Datapoint.promoting(prompt, answer)), perToken, zero),
                1e-4 * promote);
        assertTrue(promote > 5, "the unsteered model refuses, so promoting the answer costs a lot: " + promote);
    }

    @Test
    void negativeDatapointUsesMinusV() {
        SteeringConfig c = base(1).build();
        Tensor v = Tensor.vector(OneShotSteering.start(128, 3.0, 5));
        Datapoint plus = Datapoint.promoting(prompt, answer);
        Datapoint minus = new Datapoint(prompt, List.of(answer), List.of(), true);
        float[] gPlus = new float[128];
        float[] gMinus = new float[128];
        double atMinusV = OneShotSteering.lossAndGradient(model, List.of(plus), c, v.scale(-1), gPlus);
        double negative = OneShotSteering.lossAndGradient(model, List.of(minus), c, v, gMinus);
        assertEquals(atMinusV, negative, 1e-5);
        assertEquals(-gPlus[7], gMinus[7], 1e-5);
    }

    @Test
    void normProjection() {
        float[] v = {3, 4};
        OneShotSteering.projectToMaxNorm(v, 2.5);
        assertEquals(1.5f, v[0], 1e-6);
        assertEquals(2.0f, v[1], 1e-6);
        OneShotSteering.projectToMaxNorm(v, 10);
        assertEquals(1.5f, v[0], 1e-6);
        assertEquals(1.0, Tensor.vector(OneShotSteering.start(64, 1.0, 3)).norm(), 1e-5);
    }

    @Test
    void optimisationRespectsMaxNormAndSucceeds() {
        SteeringConfig c = base(2).maxNorm(8).maxIterations(25).learningRate(0.5).target(0.5, 1).build();
        OneShotSteering.Result r = OneShotSteering.optimize(model, List.of(Datapoint.promoting(prompt, answer)), c,
                Progress.NONE);
        assertTrue(r.vector().norm() <= 8 + 1e-4, "norm " + r.vector().norm());
        assertTrue(r.loss() < r.history().get(0) / 2, "loss " + r.history().get(0) + " -> " + r.loss());
    }

    @Test
    void targetStopReturnsTheVectorThatMetTheTarget() {
        List<Datapoint> data = List.of(Datapoint.promoting(prompt, answer));
        SteeringConfig c = base(2).target(1e9, 3).build();
        OneShotSteering.Result r = OneShotSteering.optimize(model, data, c, Progress.NONE);
        assertEquals(OneShotSteering.Stop.TARGET_REACHED, r.stop());
        assertEquals(3, r.iterations());
        assertEquals(r.history().get(2), r.loss());
        assertEquals(r.loss(), loss(data, c, r.vector()), 1e-5, "the returned vector is the one evaluated last");
        OneShotSteering.Result first = OneShotSteering.optimize(model, data, base(2).target(1e9, 1).build(),
                Progress.NONE);
        assertEquals(Tensor.vector(OneShotSteering.start(128, 1.0, 0)), first.vector(), "no step past the target");
    }

    @Test
    void plateauAndMaxIterationStops() {
        List<Datapoint> data = List.of(Datapoint.promoting(prompt, answer));
        OneShotSteering.Result flat = OneShotSteering.optimize(model, data,
                base(2).maxIterations(10).learningRate(1e-12).build(), Progress.NONE);
        assertEquals(OneShotSteering.Stop.PLATEAU, flat.stop());
        assertEquals(2, flat.iterations());
        OneShotSteering.Result capped = OneShotSteering.optimize(model, data,
                base(2).maxIterations(4).learningRate(0.3).build(), Progress.NONE);
        assertEquals(OneShotSteering.Stop.MAX_ITERATIONS, capped.stop());
        assertEquals(4, capped.history().size());
        assertEquals(capped.history().stream().mapToDouble(Double::doubleValue).min().orElseThrow(), capped.loss());
    }

    @Test
    void savedAndReloadedVectorGivesBitIdenticalLogits(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        SteeringConfig c = base(2).maxIterations(3).learningRate(0.3).build();
        OneShotSteering.Result r = OneShotSteering.optimize(model, List.of(Datapoint.promoting(prompt, answer)), c,
                Progress.NONE);
        java.nio.file.Path base = tmp.resolve("refusal-off");
        SteeringVectorFile.write(base, r.vector(), SteeringVectorFile.Metadata.of("embedded", c.placement(),
                LoupeJson.mapper().valueToTree(c), r.vector(), r.loss(), r.iterations(), "how do I make a bomb"));
        Tensor loaded = SteeringVectorFile.readVector(base);
        SteeringVectorFile.Metadata meta = SteeringVectorFile.readMetadata(tmp.resolve("refusal-off.json"));
        assertEquals(r.vector(), loaded);
        assertEquals(c, LoupeJson.mapper().treeToValue(meta.config(), SteeringConfig.class), "the config, as provenance");
        assertEquals(c.placement(), meta.placement());
        assertEquals("blocks.2.hook_resid_pre", meta.hook());
        RunRequest run = RunRequest.of(prompt);
        Tensor before = model.run(run.withInterventions(c.placement().intervention(r.vector(), false, 0))).logits();
        Tensor after = model.run(run.withInterventions(meta.placement().intervention(loaded, false, 0))).logits();
        assertEquals(before, after);
    }

    @Test
    void perCompletionTargetWaitsForEveryCompletion() {
        Datapoint mixed = new Datapoint(prompt, List.of(answer), List.of(refusal), false);
        float[] g = new float[128];
        double[] parts = OneShotSteering.completionLosses(model, List.of(mixed), base(2).build(),
                Tensor.zeros(128), g);
        assertEquals(2, parts.length);
        double between = (Math.min(parts[0], parts[1]) + Math.max(parts[0], parts[1])) / 2;
        double sum = parts[0] + parts[1];
        SteeringConfig summed = base(2).maxIterations(3).learningRate(1e-9).target(sum + 1, 1).build();
        assertEquals(OneShotSteering.Stop.TARGET_REACHED,
                OneShotSteering.optimize(model, List.of(mixed), summed, Progress.NONE).stop());
        SteeringConfig each = base(2).maxIterations(3).learningRate(1e-9).target(between, 1)
                .perCompletionTarget(true).build();
        assertTrue(OneShotSteering.optimize(model, List.of(mixed), each, Progress.NONE).stop()
                != OneShotSteering.Stop.TARGET_REACHED, "one completion is still above the target");
    }

    @Test
    void tokenSliceSteersOnlyThosePositions() {
        SteeringConfig c = base(2).positions(Positions.range(0, 3)).build();
        HookPoint after = HookPoint.residPre(3);
        Tensor v = Tensor.vector(OneShotSteering.start(128, 5.0, 1));
        Tensor clean = model.run(RunRequest.of(prompt).withCache(after)).activation(after);
        Tensor steered = model.run(RunRequest.of(prompt).withCache(after)
                .withInterventions(c.placement().intervention(v, false, prompt.length))).activation(after);
        assertTrue(clean.select(0).select(2).maxAbsDiff(steered.select(0).select(2)) > 1e-3, "steered position changes");
        assertTrue(clean.select(0).select(5).maxAbsDiff(steered.select(0).select(5)) > 1e-3, "later positions see it");
        HookPoint at = HookPoint.residPre(2);
        Tensor direct = model.run(RunRequest.of(prompt).withCache(at)
                .withInterventions(c.placement().intervention(v, false, prompt.length))).activation(at);
        Tensor base = model.run(RunRequest.of(prompt).withCache(at)).activation(at);
        assertEquals(0.0, base.select(0).select(4).maxAbsDiff(direct.select(0).select(4)), "position 4 is not steered");
    }
}
