package dev.loupe.app.cli;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.data.Corpus;
import dev.loupe.data.TokenWindows;
import dev.loupe.eval.toy.Windows;
import java.nio.file.Path;
import java.util.Iterator;
import picocli.CommandLine.Option;

/** Where a command's text comes from: the user's corpus, or (embedded model only) the toy world's generator. */
public final class CorpusOptions {
    @Option(names = "--corpus", paramLabel = "PATH", description = "Text: a .jsonl or .parquet file (field or column "
            + "--field), a plain text file (one document a line) or a folder of them, e.g. a dataset's Parquet shards "
            + "(default: toy-world text, embedded model only).")
    Path corpus;

    @Option(names = "--field", description = "The JSONL field or Parquet column holding each document's text "
            + "(default: text).")
    String field;

    @Range(min = 0) @Option(names = "--context", defaultValue = "0",
            description = "Tokens per window, BOS before each document (default: 0, the model's n_ctx).")
    int context;

    /** The windows of the corpus for {@code m} ({@code seed} picks the toy-world text when there is no corpus). */
    Iterator<int[]> windows(Model m, boolean embedded, long seed) {
        int n = context == 0 ? m.spec().nCtx() : context;
        if (n > m.spec().nCtx()) {
            throw new LoupeException("--context " + n + " is longer than the model's context of " + m.spec().nCtx());
        }
        if (corpus != null) {
            return new TokenWindows(m.tokenizer(), Corpus.open(corpus, field), n);
        }
        if (field != null) {
            throw new LoupeException("--field applies to a --corpus");
        }
        if (!embedded) {
            throw new LoupeException("--corpus is required with --model (the toy-world text fits the embedded model "
                    + "only)");
        }
        return Windows.toyWorld(m, seed, n);
    }

    /** How results name the text. */
    String name() {
        return corpus == null ? "toy-world text" : corpus.toString();
    }
}
