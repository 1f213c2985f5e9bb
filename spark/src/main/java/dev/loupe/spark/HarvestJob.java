package dev.loupe.spark;

import dev.loupe.data.TokenizerPolicy;
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
        implements Serializable {}
