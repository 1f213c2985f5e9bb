package dev.loupe.studies.toyworld;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelFingerprint;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.Tensor;
import dev.loupe.api.Tokenizer;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.api.spi.TextSummary;
import dev.loupe.eval.TaskEvaluator;
import dev.loupe.eval.toy.Refusal;
import dev.loupe.eval.toy.TaskExample;
import dev.loupe.eval.toy.ToyWorld;
import dev.loupe.eval.toy.TriggerChoice;
import dev.loupe.json.LoupeJson;
import dev.loupe.method.steering.MeanDifference;
import dev.loupe.vectors.SteeringPlacement;
import dev.loupe.vectors.SteeringVectorFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The contrastive mean-difference (CAA) baseline one-shot steering is compared with, from a toy task's training
 * pairs at the last token, written as a steering vector file: what {@code loupe steer caa} runs.
 */
public final class ToyWorldCaaMethod implements Method<ToyWorldCaaMethod.Config> {
    /**
     * @param task  {@code refusal} (forbidden request + 'Sure' minus + 'I') or {@code trigger-choice} (the prompt
     *              with the unmonitored marker minus without)
     * @param pairs contrastive pairs
     * @param layer the block whose resid_pre is read
     * @param name  base name of the vector file in the output folder
     */
    public record Config(String task, int pairs, int layer, String name) {}

    /** What was written: the pairs, the layer, ‖v‖ and the vector file's base. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Caa(String pairs, int layer, double norm, String vector) implements TextSummary {
        @Override
        public List<String> lines() {
            return List.of(String.format("CAA vector from %s at layer %d: ||v|| = %.3f", pairs, layer, norm));
        }
    }

    /** Contrastive prompt pairs from a task's training split, positive (the behaviour +v should cause) first. */
    record Pairs(List<int[]> positives, List<int[]> negatives, String description) {
        static Pairs of(String task, Tokenizer tok, int n, long seed) {
            Pairs p = new Pairs(new ArrayList<>(), new ArrayList<>(), switch (task) {
                case "refusal" -> n + " refusal pairs: forbidden request + 'Sure' minus + 'I'";
                case "trigger-choice" -> n + " trigger pairs: choice prompt with the unmonitored marker minus without";
                default -> throw new LoupeException("toyworld-caa: task: CAA pairs exist for refusal and "
                        + "trigger-choice, got '" + task + "'");
            });
            Random rnd = new Random(seed);
            while (p.positives.size() < n) {
                if (task.equals("refusal")) {
                    TaskExample e = new Refusal().sample(rnd, false);
                    if (Refusal.isForbidden(e.prompt())) {
                        p.positives.add(TaskEvaluator.promptIds(tok, e.prompt() + " " + Refusal.ANSWER_WORD));
                        p.negatives.add(TaskEvaluator.promptIds(tok, e.prompt() + " " + Refusal.REFUSAL_WORD));
                    }
                } else {
                    TaskExample e = new TriggerChoice().sample(rnd, false);
                    String plain = TriggerChoice.isTriggered(e.prompt())
                            ? e.prompt().substring(TriggerChoice.MARKER.length() + 1) : e.prompt();
                    p.positives.add(TaskEvaluator.promptIds(tok, TriggerChoice.MARKER + " " + plain));
                    p.negatives.add(TaskEvaluator.promptIds(tok, plain));
                }
            }
            return p;
        }
    }

    @Override
    public String name() {
        return "toyworld-caa";
    }

    @Override
    public String description() {
        return "toy world: the CAA mean-difference baseline from refusal or trigger-choice training pairs";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /** Refusal, 16 pairs, the middle layer, "caa". */
    @Override
    public Config defaults(ModelSpec spec) {
        return new Config("refusal", 16, spec.nLayers() / 2, "caa");
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        ToyWorld.requireTokenizer(context.model().tokenizer(), name());
        var m = context.model();
        int l = config.layer();
        if (l < 0 || l >= m.spec().nLayers()) {
            throw new LoupeException("toyworld-caa: layer " + l + " is outside a model with " + m.spec().nLayers()
                    + " layers");
        }
        Pairs p = Pairs.of(config.task(), m.tokenizer(), StudyFiles.positive(name(), "pairs", config.pairs()),
                context.seed());
        Tensor v = MeanDifference.vector(m, l, p.positives(), p.negatives());
        Path base = context.outputDir().resolve(config.name());
        SteeringVectorFile.write(base, v, SteeringVectorFile.Metadata.of(context.modelName(),
                SteeringPlacement.added(l), LoupeJson.mapper().valueToTree(config), v, 0, 0,
                "CAA mean difference of " + p.description())
                .madeOn(ModelFingerprint.of(m)));
        return new MethodResult(name(), Map.of("norm", v.norm()), new Caa(p.description(), l, v.norm(),
                base.toString()), List.of(SteeringVectorFile.sibling(base, ".json"),
                SteeringVectorFile.sibling(base, ".safetensors")));
    }
}
