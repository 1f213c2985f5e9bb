package dev.loupe.app.cli;

import dev.loupe.api.Capability;
import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.Model;
import dev.loupe.api.Positions;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.generation.GenerationRequest;
import dev.loupe.api.generation.Generator;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.objective.GradientRequest;
import dev.loupe.api.objective.Objective;
import dev.loupe.api.objective.TokenTargets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Loupe against the {@link Peer} case by case on the same token ids: forward (all logits, last logits), the
 * residual stream cached (HF: output_hidden_states), every hook cached (HF: hidden states and attention patterns,
 * the most it gives), the gradient of a token's log-probability w.r.t. a vector added to a block's input (batch 1),
 * generation with the KV cache (--prompt-tokens, --new-tokens), and on engines that train, five steps of transcoder
 * training ({@link TranscoderSteps}). Timed runs alternate between Loupe and the peer after untimed ones
 * ({@link #WARM_UP}); medians.
 */
final class PeerBench {
    /**
     * Untimed runs of each side first, at least two and for at least two seconds: the JVM's JIT compiles the hot
     * paths (a small model's generation runs 4× slower in its first runs) and both sides' allocators settle.
     */
    private static final int WARM_UP = 2;
    private static final long WARM_UP_NANOS = 2_000_000_000L;
    private static final int TRAIN_BATCH = 1024;
    private static final int TRAIN_STEPS = 5;

    private PeerBench() {}

    record Row(String engine, String caseName, int batch, double loupeMs, double peerMs) {
        double ratio() {
            return loupeMs / peerMs;
        }
    }

    /** The generation case's shape: prompt tokens and new tokens a sequence. */
    record Generation(int promptTokens, int newTokens) {}

    static List<Row> run(Model model, String engine, Peer peer, int seq, int[] batches, int iterations,
                         Generation generation) {
        List<Row> rows = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(4);
        int vocab = model.spec().dVocab();
        for (int b : batches) {
            for (String c : List.of("forward", "forward-last", "resid", "full", "gradient", "generate")) {
                if (c.equals("gradient") && (b != 1 || !model.capabilities().contains(Capability.GRADIENTS))) {
                    continue;
                }
                int length = c.equals("generate") ? generation.promptTokens() : Math.min(seq, model.spec().nCtx());
                List<int[]> ids = new ArrayList<>();
                for (int i = 0; i < b; i++) {
                    ids.add(rnd.ints(length, 0, vocab).toArray());
                }
                rows.add(compare(engine, c, b, loupeCase(model, c, ids, generation.newTokens()),
                        peerCase(c, ids, model.spec().nLayers() / 2, generation.newTokens()), peer, iterations));
            }
        }
        if (model.capabilities().contains(Capability.TRAINING)) {
            rows.add(compare(engine, "train", TRAIN_BATCH, TranscoderSteps.loupe(model, TRAIN_BATCH, TRAIN_STEPS),
                    TranscoderSteps.peer(model.spec().dModel(), TRAIN_BATCH, TRAIN_STEPS), peer, iterations));
        }
        return rows;
    }

    private static Row compare(String engine, String caseName, int batch, Runnable loupe, Map<String, Object> request,
                               Peer peer, int iterations) {
        long warmUntil = System.nanoTime() + WARM_UP_NANOS;
        for (int w = 0; w < WARM_UP || System.nanoTime() < warmUntil; w++) {
            loupe.run();
            peer.time(request);
        }
        double[] mine = new double[iterations];
        double[] theirs = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            mine[i] = BenchClock.time(loupe);
            theirs[i] = peer.time(request);
        }
        return new Row(engine, caseName, batch, BenchClock.median(mine), BenchClock.median(theirs));
    }

    private static Runnable loupeCase(Model m, String c, List<int[]> ids, int newTokens) {
        int layers = m.spec().nLayers();
        return switch (c) {
            case "forward" -> () -> m.run(request(ids, Set.of(), RunRequest.LogitsMode.ALL));
            case "forward-last" -> () -> m.run(request(ids, Set.of(), RunRequest.LogitsMode.LAST));
            case "resid" -> {
                Set<HookPoint> hooks = new LinkedHashSet<>();
                hooks.add(HookPoint.residPre(0));
                for (int l = 0; l < layers; l++) {
                    hooks.add(HookPoint.of(l, HookSite.RESID_POST));
                }
                yield () -> m.run(request(ids, hooks, RunRequest.LogitsMode.ALL));
            }
            case "full" -> () -> m.run(request(ids, new LinkedHashSet<>(m.spec().hookPoints()),
                    RunRequest.LogitsMode.ALL));
            case "gradient" -> {
                int[] seq = ids.get(0);
                Intervention v = new Intervention.AddVector(HookPoint.residPre(layers / 2),
                        Tensor.zeros(m.spec().dModel()), 1.0, Positions.all());
                RunRequest run = request(ids, Set.of(), RunRequest.LogitsMode.LAST).withInterventions(List.of(v));
                Objective target = new Objective.TokenLogProb(new TokenTargets(0, new int[] {seq.length - 1},
                        new int[] {target(seq)}), 1.0);
                yield () -> m.gradients(new GradientRequest(run, target, Set.of(0), Set.of()));
            }
            case "generate" -> () -> Generator.generate(m, GenerationRequest.builder(ids).maxTokens(newTokens)
                    .build());
            default -> throw new IllegalArgumentException(c);
        };
    }

    private static int target(int[] seq) {
        return seq[0];
    }

    private static RunRequest request(List<int[]> ids, Set<HookPoint> cache, RunRequest.LogitsMode mode) {
        return new RunRequest(ids, RunRequest.Padding.RIGHT, cache, List.of(), mode);
    }

    private static Map<String, Object> peerCase(String c, List<int[]> ids, int layer, int newTokens) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("op", "time");
        r.put("ids", ids);
        switch (c) {
            case "forward" -> r.put("case", "forward");
            case "forward-last" -> {
                r.put("case", "forward");
                r.put("logits", "last");
            }
            case "gradient" -> {
                r.put("case", "gradient");
                r.put("layer", layer);
                r.put("target", target(ids.get(0)));
            }
            case "generate" -> {
                r.put("case", "generate");
                r.put("new_tokens", newTokens);
            }
            default -> r.put("case", c);
        }
        return r;
    }
}
