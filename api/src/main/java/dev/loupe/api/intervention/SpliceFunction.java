package dev.loupe.api.intervention;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.loupe.api.Tensor;

/** The function a {@link Intervention.Splice} applies to its source activation (over the last axis). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = SpliceFunction.SparseMlp.class, name = "sparse_mlp"),
    @JsonSubTypes.Type(value = SpliceFunction.Affine.class, name = "affine")
})
public sealed interface SpliceFunction {
    /** Input width. */
    int dIn();

    /** Output width. */
    int dOut();

    /**
     * A transcoder / SAE: z = ReLU((x − b_dec) W_enc + b_enc), y = z W_dec + b_dec_out.
     *
     * @param wEnc    [d_in, d_features]
     * @param bEnc    [d_features]
     * @param wDec    [d_features, d_out]
     * @param bDec    [d_in], subtracted from the input
     * @param bDecOut [d_out], added to the output
     */
    record SparseMlp(Tensor wEnc, Tensor bEnc, Tensor wDec, Tensor bDec, Tensor bDecOut) implements SpliceFunction {
        public SparseMlp {
            int f = wEnc.size(1);
            check(wEnc.rank() == 2 && wDec.rank() == 2 && wDec.size(0) == f, "W_enc [d_in, F] and W_dec [F, d_out]");
            check(bEnc.rank() == 1 && bEnc.size(0) == f, "b_enc [" + f + "]");
            check(bDec.rank() == 1 && bDec.size(0) == wEnc.size(0), "b_dec [" + wEnc.size(0) + "]");
            check(bDecOut.rank() == 1 && bDecOut.size(0) == wDec.size(1), "b_dec_out [" + wDec.size(1) + "]");
        }

        @Override
        public int dIn() {
            return wEnc.size(0);
        }

        @Override
        public int dOut() {
            return wDec.size(1);
        }
    }

    /** y = x W + b with W [d_in, d_out], b [d_out]. */
    record Affine(Tensor w, Tensor b) implements SpliceFunction {
        public Affine {
            check(w.rank() == 2 && b.rank() == 1 && b.size(0) == w.size(1), "W [d_in, d_out] and b [d_out]");
        }

        @Override
        public int dIn() {
            return w.size(0);
        }

        @Override
        public int dOut() {
            return w.size(1);
        }
    }

    private static void check(boolean ok, String expected) {
        if (!ok) {
            throw new IllegalArgumentException("splice function: expected " + expected);
        }
    }
}
