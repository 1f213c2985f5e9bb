package dev.loupe.data;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Documents as token windows of one length, the way SAELens and TransformerLens stream a corpus: each document is
 * encoded, BOS placed as the {@link TokenizerPolicy} says, the documents packed end to end and cut into windows
 * that start every {@code stride} tokens; what is left at the end, shorter than a window, is dropped. Finite: it
 * ends with the corpus. Closing it releases the corpus file being read (for a caller that stops early).
 */
public final class TokenWindows implements Iterator<int[]>, AutoCloseable {
    private final Tokenizer tokenizer;
    private final Iterator<String> documents;
    private final TokenizerPolicy policy;
    private final int text;
    private final int bos;
    private int[] buffer = new int[0];
    private boolean first = true;
    private long windows;

    /** Windows of {@code policy} (resolved: see {@link TokenizerPolicy#resolve}) over {@code corpus}. */
    public TokenWindows(Tokenizer tokenizer, Iterable<String> corpus, TokenizerPolicy policy) {
        if (tokenizer == null || tokenizer == Tokenizer.missing()) {
            throw new LoupeException("this model has no tokenizer (its folder has no tokenizer.json); a text corpus "
                    + "needs one");
        }
        if (policy.context() < 2 || policy.stride() < 1) {
            throw new LoupeException("windows of " + policy.context() + " tokens every " + policy.stride()
                    + ": expected a resolved policy (context at least 2, stride at least 1)");
        }
        this.tokenizer = tokenizer;
        this.documents = corpus.iterator();
        this.bos = tokenizer.bosId().orElse(-1);
        this.policy = policy.forTokenizer(tokenizer);
        this.text = this.policy.textLength();
    }

    /** Consecutive windows of {@code length} tokens, BOS before each document. */
    public TokenWindows(Tokenizer tokenizer, Iterable<String> corpus, int length) {
        this(tokenizer, corpus, new TokenizerPolicy(length, length, TokenizerPolicy.Bos.DOCUMENT).resolve(length));
    }

    /**
     * Windows of {@code policy} for {@code model} (context 0: its n_ctx) over the corpus at {@code corpus}, the text
     * in JSONL field or Parquet column {@code field} ("" or null for {@code text}): how every method reads a user's corpus.
     */
    public static TokenWindows over(Model model, String corpus, String field, TokenizerPolicy policy) {
        TokenizerPolicy resolved = policy.resolve(model.spec().nCtx());
        return new TokenWindows(model.tokenizer(), Corpus.open(Path.of(corpus), field == null || field.isEmpty() ? null : field),
                resolved);
    }

    /** The next {@code count} of {@code windows}, fewer when they end first. */
    public static List<int[]> take(Iterator<int[]> windows, int count) {
        List<int[]> out = new ArrayList<>();
        while (out.size() < count && windows.hasNext()) {
            out.add(windows.next());
        }
        return out;
    }

    @Override
    public void close() {
        if (documents instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public boolean hasNext() {
        while (buffer.length < text && documents.hasNext()) {
            append(encode(documents.next()));
        }
        return buffer.length >= text;
    }

    private int[] encode(String document) {
        int[] ids = policy.document(tokenizer, document, first);
        first = false;
        return ids;
    }

    private void append(int[] ids) {
        int[] grown = Arrays.copyOf(buffer, buffer.length + ids.length);
        System.arraycopy(ids, 0, grown, buffer.length, ids.length);
        buffer = grown;
    }

    @Override
    public int[] next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the corpus ended after " + windows + " windows of " + policy.context()
                    + " tokens");
        }
        int[] window = policy.window(buffer, 0, 0, bos);
        buffer = Arrays.copyOfRange(buffer, policy.stride(), buffer.length);
        windows++;
        return window;
    }
}
