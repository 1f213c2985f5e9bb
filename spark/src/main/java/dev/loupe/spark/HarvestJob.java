package dev.loupe.spark;

import dev.loupe.data.TokenizerPolicy;
import dev.loupe.method.transcoder.ActivationHarvest;
import java.io.Serializable;

/**
 * A distributed harvest's settings: the single-machine {@code loupe transcoder harvest}'s, plus how many partitions
 * run the model and, for tests, a fault to inject.
 *
 * @param model          the model, as every executor loads it
 * @param corpus         a corpus file or folder: a local path or a Hadoop filesystem URI
 * @param field          the JSONL field or Parquet column (null: {@code text})
 * @param policy         windows and BOS, as given (0 context: the model's n_ctx)
 * @param hookIn         the input hook (TransformerLens name)
 * @param hookOut        the target hook
 * @param tokens         rows wanted (fewer when the corpus ends)
 * @param shardTokens    rows per shard, at most
 * @param partitions     partitions that run the model (0: Spark's default parallelism)
 * @param out            the output folder: a local path or a Hadoop filesystem URI
 * @param faultPartition a partition whose first attempt fails after writing its first shard (−1: none)
 */
public record HarvestJob(ModelRef model, String corpus, String field, TokenizerPolicy policy, String hookIn,
                         String hookOut, long tokens, int shardTokens, int partitions, String out, int faultPartition)
        implements Serializable {

    /**
     * A harvest of {@code hookIn → hookOut} from {@code corpus} into {@code out}; the rest at the single-machine
     * harvest's defaults ({@link TokenizerPolicy#defaults}, {@link ActivationHarvest#DEFAULT_TOKENS} rows,
     * {@link ActivationHarvest#DEFAULT_SHARD_TOKENS} a shard), Spark's default parallelism, no fault.
     */
    public static Builder builder(ModelRef model, String corpus, String hookIn, String hookOut, String out) {
        return new Builder(model, corpus, hookIn, hookOut, out);
    }

    /** A harvest's settings one at a time. */
    public static final class Builder {
        private final ModelRef model;
        private final String corpus;
        private final String hookIn;
        private final String hookOut;
        private final String out;
        private String field;
        private TokenizerPolicy policy = TokenizerPolicy.defaults();
        private long tokens = ActivationHarvest.DEFAULT_TOKENS;
        private int shardTokens = ActivationHarvest.DEFAULT_SHARD_TOKENS;
        private int partitions;
        private int faultPartition = -1;

        private Builder(ModelRef model, String corpus, String hookIn, String hookOut, String out) {
            this.model = model;
            this.corpus = corpus;
            this.hookIn = hookIn;
            this.hookOut = hookOut;
            this.out = out;
        }

        /** The JSONL field or Parquet column (null: {@code text}). */
        public Builder field(String value) {
            field = value;
            return this;
        }

        public Builder policy(TokenizerPolicy value) {
            policy = value;
            return this;
        }

        public Builder tokens(long value) {
            tokens = value;
            return this;
        }

        public Builder shardTokens(int value) {
            shardTokens = value;
            return this;
        }

        /** 0: Spark's default parallelism. */
        public Builder partitions(int value) {
            partitions = value;
            return this;
        }

        /** For tests: this partition's first attempt fails after its first shard. */
        public Builder faultPartition(int value) {
            faultPartition = value;
            return this;
        }

        public HarvestJob build() {
            return new HarvestJob(model, corpus, field, policy, hookIn, hookOut, tokens, shardTokens, partitions, out,
                    faultPartition);
        }
    }
}
