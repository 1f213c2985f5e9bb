package dev.loupe.spark.cli;

import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.data.TokenizerPolicy;
import dev.loupe.json.LoupeJson;
import dev.loupe.method.transcoder.ActivationHarvest;
import dev.loupe.spark.HarvestJob;
import dev.loupe.spark.ModelRef;
import dev.loupe.spark.SparkHarvest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code loupe spark harvest}: {@code loupe transcoder harvest} over a Spark cluster, the same rows. */
@Command(name = "harvest", mixinStandardHelpOptions = true,
        description = "Harvest activation pairs over Spark: the corpus read and tokenised in partitions, the model run "
                + "on every executor, shards and a manifest written to --out (a path or a Hadoop filesystem URI); "
                + "the rows equal 'loupe transcoder harvest' with the same settings.",
        footer = {"", "Example: loupe spark harvest --master local[2] --corpus docs/ --layer 2 --context 64 "
                + "--tokens 100000 --out acts"})
public final class HarvestCommand implements Runnable {
    @Mixin SparkOptions spark;

    @Option(names = "--corpus", required = true, paramLabel = "PATH|URI", description = "A .jsonl, .parquet or plain "
            + "text file, or a folder of them: a local path or any Hadoop filesystem URI (hdfs://, s3a://, …).")
    String corpus;

    @Option(names = "--field", description = "JSONL field or Parquet column with the text (default: text).")
    String field;

    @Option(names = "--context", defaultValue = "0", description = "Tokens per window (default: 0, n_ctx).")
    int context;

    @Option(names = "--stride", defaultValue = "0", description = "Tokens of text between window starts "
            + "(default: 0, consecutive windows).")
    int stride;

    @Option(names = "--bos", defaultValue = "DOCUMENT", description = "DOCUMENT, WINDOW or NONE, as for "
            + "'loupe transcoder harvest' (default: ${DEFAULT-VALUE}).")
    TokenizerPolicy.Bos bos;

    @Option(names = "--layer", defaultValue = "-1", description = "Layer whose MLP pair (ln2.hook_out -> "
            + "hook_mlp_out) to harvest (default: the last).")
    int layer;

    @Option(names = "--hook-in", paramLabel = "HOOK", description = "Input hook (with --hook-out, instead of --layer).")
    String hookIn;

    @Option(names = "--hook-out", paramLabel = "HOOK", description = "Target hook.")
    String hookOut;

    @Option(names = "--tokens", defaultValue = "" + ActivationHarvest.DEFAULT_TOKENS,
            description = "Rows to harvest (default: ${DEFAULT-VALUE}).")
    long tokens;

    @Option(names = "--shard-tokens", defaultValue = "" + ActivationHarvest.DEFAULT_SHARD_TOKENS,
            description = "Rows per shard, at most "
            + "(default: ${DEFAULT-VALUE}).")
    int shardTokens;

    @Option(names = "--partitions", defaultValue = "0", description = "Partitions that run the model (default: 0, "
            + "Spark's default parallelism).")
    int partitions;

    @Option(names = "--out", required = true, paramLabel = "PATH|URI", description = "Output folder.")
    String out;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        if (tokens < 1 || shardTokens < 1 || partitions < 0 || context < 0 || stride < 0) {
            throw new LoupeException("--tokens and --shard-tokens must be at least 1, --partitions, --context and "
                    + "--stride at least 0");
        }
        ModelRef model = spark.modelRef();
        String[] hooks = hooks(model);
        HarvestJob job = HarvestJob.builder(model, corpus, hooks[0], hooks[1], out).field(field)
                .policy(new TokenizerPolicy(context, stride, bos)).tokens(tokens).shardTokens(shardTokens)
                .partitions(partitions).build();
        long began = System.nanoTime();
        ActivationHarvest h;
        try (JavaSparkContext sc = spark.start(spec.commandLine().getErr())) {
            h = SparkHarvest.run(sc, job);
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        if (spark.json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("tokens", h.tokens());
            doc.put("hook_in", h.hookIn().name());
            doc.put("hook_out", h.hookOut().name());
            doc.put("shards", h.shards());
            doc.put("out", out);
            doc.put("seconds", seconds);
            try {
                spec.commandLine().getOut().println(LoupeJson.mapper().writeValueAsString(doc));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return;
        }
        spec.commandLine().getOut().printf("%d activation pairs of %s -> %s in %d shards under %s in %.1f s "
                        + "(%.0f rows/s)%s%n", h.tokens(), h.hookIn(), h.hookOut(), h.shards().size(), out, seconds,
                h.tokens() / seconds, h.tokens() < tokens ? " (the corpus ended before --tokens " + tokens + ")" : "");
    }

    private String[] hooks(ModelRef model) {
        if (hookIn != null || hookOut != null) {
            if (layer != -1) {
                throw new LoupeException("--layer and --hook-in/--hook-out name the hooks twice; give one");
            }
            if (hookIn == null || hookOut == null) {
                throw new LoupeException((hookIn == null ? "--hook-out" : "--hook-in") + " needs "
                        + (hookIn == null ? "--hook-in" : "--hook-out") + " (or neither, and --layer)");
            }
            return new String[] {parse("--hook-in", hookIn), parse("--hook-out", hookOut)};
        }
        var spec = model.model().spec();
        HookPoint[] pair = ActivationHarvest.mlpPair(spec, layer < 0 ? spec.nLayers() - 1 : layer);
        return new String[] {pair[0].name(), pair[1].name()};
    }

    private static String parse(String option, String name) {
        try {
            return HookPoint.parse(name).name();
        } catch (LoupeException e) {
            throw new LoupeException(option + ": " + e.getMessage());
        }
    }
}
