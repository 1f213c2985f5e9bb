package dev.loupe.app.cli;

import dev.loupe.api.LoupeException;
import dev.loupe.data.TokenizerPolicy;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
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

    /**
     * Whether the text is the toy world's (no corpus given), after refusing corpus-only options without a corpus and
     * the toy world on a model other than the embedded one.
     */
    boolean toyWorld(boolean embedded) {
        if (corpus != null) {
            return false;
        }
        requireToyWorldFits(embedded);
        return true;
    }

    /** A corpus plugin's fields: {@code corpus}, {@code field} and {@code policy}. */
    Map<String, Object> fields() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("corpus", corpus.toString());
        f.put("field", field == null ? "" : field);
        f.put("policy", policy());
        return f;
    }

    private void requireToyWorldFits(boolean embedded) {
        if (field != null || stride != 0 || bos != TokenizerPolicy.Bos.DOCUMENT) {
            throw new LoupeException((field != null ? "--field" : stride != 0 ? "--stride" : "--bos")
                    + " applies to a --corpus");
        }
        if (!embedded) {
            throw new LoupeException("--corpus is required with --model (the toy-world text fits the embedded model "
                    + "only)");
        }
    }

    /** How results name the text. */
    String name() {
        return corpus == null ? "toy-world text" : corpus.toString();
    }
}
