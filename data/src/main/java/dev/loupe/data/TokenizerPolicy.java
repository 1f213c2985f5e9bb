package dev.loupe.data;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tokenizer;

/**
 * How text becomes model inputs: where BOS goes, and how a corpus is cut into windows. With {@link Bos#DOCUMENT}
 * (the default, TransformerLens's {@code prepend_bos}) each document and prompt starts with BOS; with
 * {@link Bos#WINDOW} (SAELens's {@code prepend_bos} for a streamed dataset) every window starts with BOS and
 * documents are separated by BOS; with {@link Bos#NONE} no BOS is added. A tokenizer that declares no BOS gets none
 * invented under any policy. Windows hold {@code context} tokens and start every {@code stride} tokens of the packed
 * stream (stride = the window's text length for consecutive windows, less to overlap them).
 *
 * @param context tokens per window, 0 for the model's n_ctx ({@link #resolve})
 * @param stride  tokens of text between window starts, 0 for consecutive windows
 * @param bos     where BOS goes
 */
public record TokenizerPolicy(int context, int stride, Bos bos) implements java.io.Serializable {
    /** Where BOS goes. */
    public enum Bos { DOCUMENT, WINDOW, NONE }

    public TokenizerPolicy {
        if (context < 0 || stride < 0 || bos == null) {
            throw new LoupeException("tokenizer policy: context and stride must be >= 0 (0: the default) and bos one of "
                    + java.util.Arrays.toString(Bos.values()) + "; got " + context + ", " + stride + ", " + bos);
        }
    }

    /** BOS before each document, windows of n_ctx, consecutive. */
    public static TokenizerPolicy defaults() {
        return new TokenizerPolicy(0, 0, Bos.DOCUMENT);
    }

    /** This policy with the model's context filled in and the stride checked: what {@link TokenWindows} cuts by. */
    public TokenizerPolicy resolve(int nCtx) {
        int c = context == 0 ? nCtx : context;
        if (c < 2 || c > nCtx) {
            throw new LoupeException("context " + c + ": expected 2.." + nCtx + " tokens (the model's n_ctx)");
        }
        int text = bos == Bos.WINDOW ? c - 1 : c;
        int s = stride == 0 ? text : stride;
        if (s > text) {
            throw new LoupeException("stride " + s + " is longer than the " + text + " text tokens of a window (it "
                    + "would skip text)");
        }
        return new TokenizerPolicy(c, s, bos);
    }

    /** Text tokens per window: the context, less the BOS that {@link Bos#WINDOW} puts first. */
    public int textLength() {
        return bos == Bos.WINDOW ? context - 1 : context;
    }

    /**
     * This policy for {@code tokenizer}: {@link Bos#WINDOW} becomes {@link Bos#NONE} when the tokenizer declares no
     * BOS (none is invented).
     */
    public TokenizerPolicy forTokenizer(Tokenizer tokenizer) {
        return bos == Bos.WINDOW && tokenizer.bosId().isEmpty() ? new TokenizerPolicy(context, stride, Bos.NONE) : this;
    }

    /**
     * A document's ids in the packed stream: after BOS for {@link Bos#DOCUMENT}; for {@link Bos#WINDOW} after the
     * BOS that separates it from the previous document, none for the stream's {@code first}; bare for
     * {@link Bos#NONE}.
     */
    public int[] document(Tokenizer tokenizer, String text, boolean first) {
        return switch (bos) {
            case DOCUMENT -> tokenizer.encodeWithBos(text);
            case NONE -> tokenizer.encode(text);
            case WINDOW -> {
                int[] ids = tokenizer.encode(text);
                if (first) {
                    yield ids;
                }
                int[] separated = new int[ids.length + 1];
                separated[0] = tokenizer.bosId().orElseThrow();
                System.arraycopy(ids, 0, separated, 1, ids.length);
                yield separated;
            }
        };
    }

    /** Windows whole in a packed stream of {@code tokens} text tokens (a shorter rest is dropped). */
    public long windowsIn(long tokens) {
        int text = textLength();
        return tokens < text ? 0 : (tokens - text) / stride + 1;
    }

    /**
     * Window {@code k} of the packed stream, cut from {@code slice}, the stream's tokens from {@code sliceStart} on:
     * text from {@code k · stride}, after BOS for {@link Bos#WINDOW}.
     */
    public int[] window(int[] slice, long sliceStart, long k, int bosId) {
        int[] window = new int[context];
        int at = 0;
        if (bos == Bos.WINDOW) {
            window[at++] = bosId;
        }
        System.arraycopy(slice, Math.toIntExact(k * stride - sliceStart), window, at, textLength());
        return window;
    }

    /**
     * A prompt's ids as a method's config gives it: a chat template's rendering ({@code rendered}) as it is, since it
     * carries its own special tokens, else after BOS; a prompt of no tokens is an error, {@code what} (e.g.
     * {@code "feature-clamp: the prompt 'x'"}) followed by "is no tokens".
     */
    public static int[] promptIds(Tokenizer tokenizer, String prompt, boolean rendered, String what) {
        int[] ids = rendered ? tokenizer.encode(prompt) : tokenizer.encodeWithBos(prompt);
        if (ids.length == 0) {
            throw new LoupeException(what + " is no tokens");
        }
        return ids;
    }

    /** A prompt's ids: after BOS unless the policy is {@link Bos#NONE}. */
    public int[] prompt(Tokenizer tokenizer, String text) {
        return bos == Bos.NONE ? tokenizer.encode(text) : tokenizer.encodeWithBos(text);
    }
}
