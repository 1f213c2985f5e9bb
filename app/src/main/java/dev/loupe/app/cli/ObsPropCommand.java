package dev.loupe.app.cli;

import dev.loupe.api.Model;
import dev.loupe.app.ModelLoader;
import dev.loupe.app.obsprop.FeatureStudy;
import dev.loupe.method.obsprop.HeadAblation;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Observable propagation on the embedded model's pronoun task. */
@Command(name = "obsprop", mixinStandardHelpOptions = true,
        description = "Observable propagation: feature vectors, coupling coefficients, and the comparison with probes.",
        subcommands = {ObsPropCommand.Features.class})
public final class ObsPropCommand {

    /** {@code loupe obsprop features}. */
    @Command(name = "features", mixinStandardHelpOptions = true,
            description = "Rank heads and MLPs by the norm of their feature vector for she - he, beside mean-ablation.",
            footer = {"", "Example: loupe obsprop features --json > features.json"})
    public static final class Features implements Runnable {
        @Mixin
        ModelOptions options;

        @Option(names = "--prompts", defaultValue = "64", description = "Pronoun prompts for the ablation ranking (default: ${DEFAULT-VALUE}).")
        int prompts;

        @Option(names = "--paths", defaultValue = "THROUGH_MLPS",
                description = "DIRECT or THROUGH_MLPS (default: ${DEFAULT-VALUE}).")
        dev.loupe.method.obsprop.ComponentRanking.Paths paths;

        @Option(names = "--seed", defaultValue = "0") long seed;

        @Spec
        CommandSpec spec;

        private final ModelLoader loader;

        @Inject
        Features(ModelLoader loader) {
            this.loader = loader;
        }

        @Override
        public void run() {
            FeatureStudy s;
            try (Model m = loader.load(options.model, options.engine, options.device)) {
                s = FeatureStudy.run(m, prompts, paths, seed);
            }
            PrintWriter w = spec.commandLine().getOut();
            if (options.json) {
                w.println(Json.write(s));
                return;
            }
            w.println("rank  by feature-vector norm (no data)   by mean-ablation effect (" + prompts + " prompts)");
            for (int i = 0; i < s.byNorm().size(); i++) {
                FeatureStudy.Row r = s.byNorm().get(i);
                String ablation = "";
                if (i < s.byAblation().size()) {
                    HeadAblation.Effect e = s.byAblation().get(i);
                    ablation = String.format("L%dH%d %+.3f", e.layer(), e.head(), e.effect());
                }
                w.printf("%4d  %-10s %8.3f                  %s%n", i + 1, r.name(), r.norm(), ablation);
            }
            w.printf("top-3 heads by ablation among the top-3 heads by norm: %d of 3%n", s.topThreeShared());
            w.printf("mover head %s: cosine(subject, object feature vectors) = %.3f%n", s.mover(), s.moverCosine());
        }
    }
}
