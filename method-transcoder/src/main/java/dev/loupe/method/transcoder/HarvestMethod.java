package dev.loupe.method.transcoder;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.api.spi.TextSummary;
import dev.loupe.data.TokenWindows;
import dev.loupe.data.TokenizerPolicy;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Activation harvesting as a plugin: (in, out) activation pairs of the user's text streamed into sharded safetensors
 * in the output folder, with {@code manifest.json} last ({@link ActivationHarvest}). {@code loupe transcoder harvest
 * --corpus} is a front-end over it; {@link #harvest} is the one harvest every source of windows goes through.
 */
public final class HarvestMethod implements Method<HarvestMethod.Config> {
    /**
     * What to harvest.
     *
     * @param corpus      the text: .jsonl, .parquet, plain text, or a folder of them
     * @param field       the JSONL field or Parquet column holding the text ("": {@code text})
     * @param policy      how the corpus becomes windows (context, stride, BOS)
     * @param pair        which activations
     * @param tokens      rows to harvest (fewer when the corpus ends)
     * @param shardTokens rows per safetensors shard
     */
    public record Config(String corpus, String field, TokenizerPolicy policy, Pair pair, long tokens,
                         int shardTokens) {}

    /**
     * The hooks harvested: a layer's MLP pair ({@code blocks.L.ln2.hook_out → blocks.L.hook_mlp_out}), or any two
     * hooks (the same one twice for an SAE's data).
     *
     * @param layer   the block whose MLP pair to harvest; −1: the last, or none when the hooks are given
     * @param hookIn  the input hook, TransformerLens name ("" for the layer's MLP pair)
     * @param hookOut the target hook ("" for the layer's MLP pair)
     */
    public record Pair(int layer, String hookIn, String hookOut) {
        /** The last layer's MLP pair. */
        public static Pair defaults() {
            return new Pair(-1, "", "");
        }

        HookPoint[] resolve(ModelSpec spec) {
            if (hookIn.isEmpty() && hookOut.isEmpty()) {
                return ActivationHarvest.mlpPair(spec, layer < 0 ? spec.nLayers() - 1 : layer);
            }
            if (hookIn.isEmpty() || hookOut.isEmpty()) {
                throw new LoupeException("pair." + (hookIn.isEmpty() ? "hookOut" : "hookIn") + " needs pair."
                        + (hookIn.isEmpty() ? "hookIn" : "hookOut") + " (or neither, and pair.layer)");
            }
            if (layer >= 0) {
                throw new LoupeException("pair.layer does not apply with pair.hookIn and pair.hookOut (give -1)");
            }
            return new HookPoint[] {parse("pair.hookIn", hookIn), parse("pair.hookOut", hookOut)};
        }

        private static HookPoint parse(String option, String name) {
            try {
                return HookPoint.parse(name);
            } catch (LoupeException e) {
                throw new LoupeException(option + ": " + e.getMessage());
            }
        }
    }

    /** What a harvest wrote: rows, hooks, shards, where, from what text, and how many rows were asked for. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Summary(long tokens, String hookIn, String hookOut, List<String> shards, String dir, String corpus,
                          long requested) implements TextSummary {
        @Override
        public List<String> lines() {
            return List.of(String.format("%d activation pairs of %s -> %s in %d shards under %s%s", tokens, hookIn,
                    hookOut, shards.size(), dir, tokens < requested
                            ? " (the corpus ended before --tokens " + requested + ")" : ""));
        }
    }

    @Override
    public String name() {
        return "transcoder-harvest";
    }

    @Override
    public String description() {
        return "harvest (in, out) activation pairs of a corpus into sharded safetensors, for transcoders and SAEs";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /** The corpus must be given; the last layer's MLP pair, n_ctx windows with BOS per document, 200,000 rows. */
    @Override
    public Config defaults(ModelSpec spec) {
        return new Config(null, "", TokenizerPolicy.defaults(), Pair.defaults(), ActivationHarvest.DEFAULT_TOKENS,
                ActivationHarvest.DEFAULT_SHARD_TOKENS);
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        var model = context.model();
        try (TokenWindows windows = TokenWindows.over(model, config.corpus(), config.field(), config.policy())) {
            return harvest(context, name(), config.pair(), windows, config.tokens(), config.shardTokens(),
                    config.corpus());
        }
    }

    /** The harvest of {@code windows} into the context's output folder, as the plugin {@code method} reports it. */
    public static MethodResult harvest(MethodContext context, String method, Pair pair, Iterator<int[]> windows,
                                       long tokens, int shardTokens, String corpus) {
        if (tokens < 1 || shardTokens < 1) {
            throw new LoupeException(method + ": tokens and shardTokens must be at least 1, got " + tokens + " and "
                    + shardTokens);
        }
        HookPoint[] hooks = pair.resolve(context.model().spec());
        Path dir = context.outputDir();
        ActivationHarvest h = ActivationHarvest.run(context.model(), hooks[0], hooks[1], windows, tokens, shardTokens,
                dir, context.progress());
        Summary s = new Summary(h.tokens(), h.hookIn().name(), h.hookOut().name(), h.shards(), dir.toString(), corpus,
                tokens);
        return new MethodResult(method, Map.of("tokens", (double) h.tokens(), "shards", (double) h.shards().size()),
                s, java.util.stream.Stream.concat(h.shards().stream().map(dir::resolve),
                        java.util.stream.Stream.of(dir.resolve(ActivationHarvest.MANIFEST))).toList());
    }
}
