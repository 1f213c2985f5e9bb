package dev.loupe.engine.djl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.Weights;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Weights come back in TransformerLens layout: q = ln1(x) · W_Q[h] + b_Q[h] (and the same for k with
 * n_kv_heads) reproduces the engine's hook_q / hook_k, computed here in plain Java.
 */
class WeightsViewTest {
    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "neox-tiny", "llama-tiny"})
    void projectionsFromWeightsReproduceHooks(String name) {
        try (Model m = GoldenModels.load(name)) {
            int[] ids = GoldenModels.ids(name, 1);
            HookPoint in = HookPoint.parse("blocks.1.ln1.hook_out");
            HookPoint q = HookPoint.parse("blocks.1.attn.hook_q");
            HookPoint k = HookPoint.parse("blocks.1.attn.hook_k");
            RunResult r = m.run(RunRequest.of(ids).withCache(in, q, k));
            Weights w = m.weights();
            check(r.activation(in), w.get("blocks.1.attn.W_Q"), w.has("blocks.1.attn.b_Q") ? w.get("blocks.1.attn.b_Q") : null,
                    r.activation(q), name + " q");
            check(r.activation(in), w.get("blocks.1.attn.W_K"), w.has("blocks.1.attn.b_K") ? w.get("blocks.1.attn.b_K") : null,
                    r.activation(k), name + " k");
        }
    }

    private static void check(Tensor x, Tensor wHeads, Tensor bias, Tensor hook, String what) {
        int heads = wHeads.size(0);
        int d = wHeads.size(1);
        int dh = wHeads.size(2);
        double worst = 0;
        for (int p = 0; p < x.size(1); p++) {
            for (int h = 0; h < heads; h++) {
                for (int j = 0; j < dh; j++) {
                    double acc = bias == null ? 0 : bias.get(h, j);
                    for (int i = 0; i < d; i++) {
                        acc += (double) x.get(0, p, i) * wHeads.get(h, i, j);
                    }
                    worst = Math.max(worst, Math.abs(acc - hook.get(0, p, h, j)));
                }
            }
        }
        assertTrue(worst < 1e-4, what + ": max difference " + worst);
    }
}
