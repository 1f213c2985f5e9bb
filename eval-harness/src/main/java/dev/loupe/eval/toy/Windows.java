package dev.loupe.eval.toy;

import dev.loupe.api.Tokenizer;
import java.util.Arrays;
import java.util.Iterator;

/** Documents of a corpus, each preceded by BOS, packed end to end and cut into windows of a fixed length. */
public final class Windows implements Iterator<int[]> {
    private final Tokenizer tokenizer;
    private final ToyCorpus corpus;
    private final int length;
    private final int bos;
    private int[] buffer = new int[0];

    public Windows(Tokenizer tokenizer, ToyCorpus corpus, int length) {
        this.tokenizer = tokenizer;
        this.corpus = corpus;
        this.length = length;
        this.bos = tokenizer.bosId().orElseThrow();
    }

    /** Toy-world text only (no English) from a seeded corpus, in windows of the model's context length. */
    public static Windows toyWorld(dev.loupe.api.Model model, long seed) {
        return toyWorld(model, seed, model.spec().nCtx());
    }

    /** Toy-world text only (no English) from a seeded corpus, in windows of {@code length} tokens. */
    public static Windows toyWorld(dev.loupe.api.Model model, long seed, int length) {
        return new Windows(model.tokenizer(), new ToyCorpus(seed, java.util.List.of(), 0), length);
    }

    @Override
    public boolean hasNext() {
        return true;
    }

    @Override
    public int[] next() {
        while (buffer.length < length) {
            int[] doc = tokenizer.encode(corpus.next());
            int[] grown = Arrays.copyOf(buffer, buffer.length + doc.length + 1);
            grown[buffer.length] = bos;
            System.arraycopy(doc, 0, grown, buffer.length + 1, doc.length);
            buffer = grown;
        }
        int[] window = Arrays.copyOf(buffer, length);
        buffer = Arrays.copyOfRange(buffer, length, buffer.length);
        return window;
    }
}
