package dev.loupe.data;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tokenizer;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Documents as token windows of one length, the way SAELens and TransformerLens stream a corpus: each document is
 * encoded, preceded by BOS when the tokenizer has one (so every document starts as the model saw text in training),
 * the documents are packed end to end and cut into consecutive windows; what is left at the end, shorter than a
 * window, is dropped. Finite: it ends with the corpus.
 */
public final class TokenWindows implements Iterator<int[]> {
    private final Tokenizer tokenizer;
    private final Iterator<String> documents;
    private final int length;
    private int[] buffer = new int[0];
    private long windows;

    /** Windows of {@code length} tokens (at least 2) over {@code corpus}. */
    public TokenWindows(Tokenizer tokenizer, Iterable<String> corpus, int length) {
        if (length < 2) {
            throw new LoupeException("windows of " + length + " tokens: expected at least 2");
        }
        if (tokenizer == null) {
            throw new LoupeException("this model has no tokenizer (its folder has no tokenizer.json); a text corpus "
                    + "needs one");
        }
        this.tokenizer = tokenizer;
        this.documents = corpus.iterator();
        this.length = length;
    }

    @Override
    public boolean hasNext() {
        while (buffer.length < length && documents.hasNext()) {
            int[] doc = tokenizer.encodeWithBos(documents.next());
            int[] grown = Arrays.copyOf(buffer, buffer.length + doc.length);
            System.arraycopy(doc, 0, grown, buffer.length, doc.length);
            buffer = grown;
        }
        return buffer.length >= length;
    }

    @Override
    public int[] next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the corpus ended after " + windows + " windows of " + length + " tokens");
        }
        int[] window = Arrays.copyOf(buffer, length);
        buffer = Arrays.copyOfRange(buffer, length, buffer.length);
        windows++;
        return window;
    }
}
