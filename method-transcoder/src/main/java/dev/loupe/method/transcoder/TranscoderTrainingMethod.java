package dev.loupe.method.transcoder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.loupe.api.Capability;
import dev.loupe.api.ModelSpec;
import dev.loupe.dictionary.TranscoderFile;
import dev.loupe.io.AtomicFiles;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.api.spi.TextSummary;
import dev.loupe.json.LoupeJson;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Transcoder training as a plugin: a transcoder fitted on a harvest ({@code loupe transcoder harvest}) through the
 * engine's sparse-MLP trainer, written to the output folder as {@code cfg.json} + {@code sae_weights.safetensors},
 * with {@code checkpoint.safetensors} (for {@code resume}) and {@code training.json} (settings, curve, throughput).
 * {@code loupe transcoder train} is a front-end over it.
 */
public final class TranscoderTrainingMethod implements Method<TranscoderTrainingMethod.Config> {
    private static final ObjectMapper JSON = LoupeJson.pretty();

    /**
     * What to train.
     *
     * @param activations the harvest folder (its manifest names the hooks and shards)
     * @param training    the optimisation settings
     * @param resume      continue from the output folder's checkpoint
     */
    public record Config(String activations, TranscoderTraining.Config training, boolean resume) {}

    /**
     * {@code training.json}: the settings, the step resumed from (0: a fresh run), wall time, throughput, the curve,
     * and the widths trained.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Log(TranscoderTraining.Config config, int resumedFromStep, double seconds,
                      double activationsPerSecond, List<TranscoderTraining.Point> curve, int dIn, int dSae)
            implements TextSummary {
        @Override
        public List<String> lines() {
            TranscoderTraining.Point last = curve.get(curve.size() - 1);
            return List.of(String.format("trained %d -> %d features, %d steps%s in %.1f s: %.0f activations/s; final "
                    + "mse %.4f, L0 %.1f, dead %d", dIn, dSae, config.steps(), resumedFromStep > 0 ? " (resumed at "
                    + resumedFromStep + ")" : "", seconds, activationsPerSecond, last.mse(), last.l0(), last.dead()));
        }
    }

    @Override
    public String name() {
        return "transcoder";
    }

    @Override
    public String description() {
        return "train a transcoder on harvested activations (Dunefsky et al., NeurIPS 2024)";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /** No harvest (it must be given), SAELens-like defaults (8× expansion, 3000 steps of 1024), no resume. */
    @Override
    public Config defaults(ModelSpec spec) {
        return new Config(null, TranscoderTraining.Config.defaults(), false);
    }

    @Override
    public Set<Capability> requires() {
        return Set.of(Capability.TRAINING);
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        ActivationHarvest h = ActivationHarvest.open(Path.of(config.activations()));
        Path out = context.outputDir();
        TranscoderTraining.Result r = TranscoderTraining.train(context.model(), h, config.training(), out,
                config.resume(), context.progress());
        Log log = new Log(config.training(), r.resumedFrom(), r.seconds(), r.activationsPerSecond(), r.curve(),
                h.dIn(), r.transcoder().dSae());
        Path training = out.resolve("training.json");
        AtomicFiles.write(training, tmp -> JSON.writeValue(tmp.toFile(), log));
        TranscoderTraining.Point last = r.curve().get(r.curve().size() - 1);
        return new MethodResult(name(), Map.of("mse", last.mse(), "l0", last.l0(), "dead", (double) last.dead(),
                "d_sae", (double) r.transcoder().dSae(), "resumed_from_step", (double) r.resumedFrom(),
                "seconds", r.seconds(), "activations_per_second", r.activationsPerSecond()), log,
                List.of(out.resolve(TranscoderFile.CFG), out.resolve(TranscoderFile.WEIGHTS),
                        out.resolve(TranscoderTraining.CHECKPOINT), training));
    }
}
