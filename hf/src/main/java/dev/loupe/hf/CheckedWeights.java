package dev.loupe.hf;

import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.Tensor;
import dev.loupe.api.WeightNames;
import dev.loupe.api.WeightProcessing;
import dev.loupe.api.spi.LoadOptions;
import java.util.LinkedHashMap;
import dev.loupe.hf.WeightMapping.TensorReader;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * Reads a model's TransformerLens-named weights for an engine, checking them against the spec on the way: every
 * needed weight present (a missing bias means zero), every shape as {@link WeightNames#shape} says, no unknown names.
 */
public final class CheckedWeights {
    private CheckedWeights() {}

    /**
     * As {@link #read(ModelSpec, Map, String, BiConsumer)}, then processed as {@code processing} says (all weights
     * are read first when it is not {@code NONE}).
     */
    public static void read(ModelSpec spec, Map<String, TensorReader> source, String origin,
                            LoadOptions.Processing processing, BiConsumer<String, Tensor> sink) {
        if (processing == LoadOptions.Processing.NONE) {
            read(spec, source, origin, sink);
            return;
        }
        Map<String, Tensor> all = new LinkedHashMap<>();
        read(spec, source, origin, all::put);
        Map<String, Tensor> processed = WeightProcessing.transformerLens(spec, all);
        for (String name : WeightNames.all(spec)) {
            if (processed.containsKey(name)) {
                sink.accept(name, processed.get(name));
            }
        }
    }

    /**
     * Reads each weight of {@code source} once, in {@link WeightNames#all} order, and hands it to {@code sink};
     * {@code origin} (a path, or "in-memory weights") starts every error message.
     */
    public static void read(ModelSpec spec, Map<String, TensorReader> source, String origin,
                            BiConsumer<String, Tensor> sink) {
        Set<String> needed = new TreeSet<>(WeightNames.all(spec));
        Set<String> unknown = new TreeSet<>(source.keySet());
        unknown.removeAll(needed);
        if (!unknown.isEmpty()) {
            throw new LoupeException(origin + ": unknown weight names " + unknown + " for a " + spec.architecture()
                    + " model");
        }
        for (String name : WeightNames.all(spec)) {
            TensorReader reader = source.get(name);
            if (reader == null) {
                if (WeightNames.isBias(name)) {
                    continue;
                }
                throw new LoupeException(origin + ": weight '" + name + "' missing (expected shape "
                        + Arrays.toString(WeightNames.shape(spec, name)) + ")");
            }
            Tensor t = reader.read();
            int[] expected = WeightNames.shape(spec, name);
            if (!Arrays.equals(t.shape(), expected)) {
                throw new LoupeException(origin + ": weight '" + name + "' has shape " + Arrays.toString(t.shape())
                        + ", expected " + Arrays.toString(expected));
            }
            sink.accept(name, t);
        }
    }
}
