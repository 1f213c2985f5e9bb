package dev.loupe.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.Tensor;
import dev.loupe.api.WeightNames;
import dev.loupe.api.Weights;
import dev.loupe.api.spi.LoadOptions;
import dev.loupe.hf.CheckedWeights;
import dev.loupe.hf.WeightMapping.TensorReader;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A model's weights as NDArrays. Attention weights are kept fused per layer ([d_model, heads·d_head] for Q/K/V,
 * [heads·d_head, d_model] for O) for fast matmuls; {@link #get} turns them back into the TransformerLens layout
 * on request, so reading one weight copies only that one.
 */
final class TransformerWeights implements Weights {
    private final ModelSpec spec;
    private final Map<String, NDArray> arrays;

    private TransformerWeights(ModelSpec spec, Map<String, NDArray> arrays) {
        this.spec = spec;
        this.arrays = arrays;
    }

    static TransformerWeights load(NDManager m, ModelSpec spec, Map<String, TensorReader> source, String origin,
                                   LoadOptions.Processing processing) {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        CheckedWeights.read(spec, source, origin, processing,
                (name, t) -> arrays.put(name, Arrays2.toNd(m, toInternal(name, t))));
        return new TransformerWeights(spec, Collections.unmodifiableMap(arrays));
    }

    private static Tensor toInternal(String name, Tensor t) {
        if (name.endsWith("attn.W_Q") || name.endsWith("attn.W_K") || name.endsWith("attn.W_V")) {
            return t.permute(1, 0, 2).reshape(t.size(1), -1);
        }
        if (name.endsWith("attn.W_O")) {
            return t.reshape(-1, t.size(2));
        }
        if (name.endsWith("attn.b_Q") || name.endsWith("attn.b_K") || name.endsWith("attn.b_V")) {
            return t.reshape(-1);
        }
        return t;
    }

    /** The internal array for {@code name}, or null for an absent bias. */
    NDArray array(String name) {
        return arrays.get(name);
    }

    /** Every weight array, in a stable order (for training). */
    java.util.Collection<NDArray> arrays() {
        return arrays.values();
    }

    NDArray layer(int l, String leaf) {
        return arrays.get("blocks." + l + "." + leaf);
    }

    @Override
    public Set<String> names() {
        return arrays.keySet();
    }

    @Override
    public Tensor get(String name) {
        NDArray a = arrays.get(name);
        if (a == null) {
            throw Weights.unknown(name, arrays.keySet());
        }
        Tensor t = Arrays2.toTensor(a);
        int[] shape = WeightNames.shape(spec, name);
        if (name.endsWith("attn.W_Q") || name.endsWith("attn.W_K") || name.endsWith("attn.W_V")) {
            return t.reshape(shape[1], shape[0], shape[2]).permute(1, 0, 2);
        }
        return t.reshape(shape);
    }
}
