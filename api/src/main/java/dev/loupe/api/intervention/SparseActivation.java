package dev.loupe.api.intervention;

import dev.loupe.api.Tensor;

/**
 * How a {@link SpliceFunction.SparseMlp} turns its pre-activations h = (x − b_dec) W_enc + b_enc into feature
 * activations z, one kind per SAELens architecture family. The names are SAELens's.
 */
public sealed interface SparseActivation {
    /** z = ReLU(h) (SAELens "standard" and "transcoder"). */
    record Relu() implements SparseActivation {}

    /**
     * z = ReLU(h) where h &gt; threshold, else 0 (SAELens "jumprelu", Gemma Scope; BatchTopK SAEs are saved this way
     * for inference, with one threshold repeated).
     *
     * @param threshold [d_features]
     */
    record JumpRelu(Tensor threshold) implements SparseActivation {
        public JumpRelu {
            if (threshold == null || threshold.rank() != 1) {
                throw new IllegalArgumentException("jumprelu: expected threshold [d_features]");
            }
        }
    }

    /** The k largest pre-activations pass through a ReLU, the rest are 0; ties go to the lower index. */
    record TopK(int k) implements SparseActivation {
        public TopK {
            if (k <= 0) {
                throw new IllegalArgumentException("topk: k is " + k + " (expected a positive integer)");
            }
        }
    }

    /**
     * Gated SAE (Rajamanoharan et al. 2024): the gate is h &gt; 0 with b_enc as the gate bias b_gate; an open
     * feature's value is ReLU((x − b_dec) (W_enc ⊙ exp(r_mag)) + b_mag).
     *
     * @param rMag [d_features]
     * @param bMag [d_features]
     */
    record Gated(Tensor rMag, Tensor bMag) implements SparseActivation {
        public Gated {
            if (rMag == null || bMag == null || rMag.rank() != 1 || bMag.rank() != 1 || rMag.size(0) != bMag.size(0)) {
                throw new IllegalArgumentException("gated: expected r_mag [d_features] and b_mag [d_features]");
            }
        }
    }
}
