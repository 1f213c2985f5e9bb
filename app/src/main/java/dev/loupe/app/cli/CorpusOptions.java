package dev.loupe.app.cli;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.data.Corpus;
import dev.loupe.data.TokenWindows;
import dev.loupe.data.TokenizerPolicy;
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
            description = "Tokens per window (default: 0, the model's n_ctx).")
    int context;

    @Range(min = 0) @Option(names = "--stride", defaultValue = "0", description = "With --corpus: tokens of text "
            + "between window starts, less than a window to overlap (default: 0, consecutive windows).")
    int stride;

    @Option(names = "--bos", defaultValue = "DOCUMENT", description = "With --corpus: where BOS goes: DOCUMENT (before "
            + "each document, TransformerLens), WINDOW (each window starts with BOS, documents separated by it, "
            + "SAELens) or NONE (default: ${DEFAULT-VALUE}).")
    TokenizerPolicy.Bos bos;

    /** The corpus's tokenizer policy as given (context 0 and stride 0 mean the defaults). */
    TokenizerPolicy policy() {
        return new TokenizerPolicy(context, stride, bos);
    }

    /** The windows of the corpus for {@code m} ({@code seed} picks the toy-world text when there is no corpus). */
    Iterator<int[]> windows(Model m, boolean embedded, long seed) {
        TokenizerPolicy resolved = policy().resolve(m.spec().nCtx());
        if (corpus != null) {
            return new TokenWindows(m.tokenizer(), Corpus.open(corpus, field), resolved);
        }
        if (field != null || stride != 0 || bos != TokenizerPolicy.Bos.DOCUMENT) {
            throw new LoupeException((field != null ? "--field" : stride != 0 ? "--stride" : "--bos")
                    + " applies to a --corpus");
        }
        if (!embedded) {
            throw new LoupeException("--corpus is required with --model (the toy-world text fits the embedded model "
                    + "only)");
        }
        return Windows.toyWorld(m, seed, resolved.context());
    }

    /** Releases the corpus file that {@link #windows}' iterator holds when a command stops reading it early. */
    static void release(Iterator<int[]> windows) {
        if (windows instanceof TokenWindows w) {
            w.close();
        }
    }

    /** How results name the text. */
    String name() {
        return corpus == null ? "toy-world text" : corpus.toString();
    }
}
