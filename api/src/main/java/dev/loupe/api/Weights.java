package dev.loupe.api;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A model's parameters under TransformerLens names: {@code W_E} [d_vocab, d_model], {@code W_pos},
 * {@code blocks.{l}.ln1.w|b}, {@code blocks.{l}.attn.W_Q|W_K|W_V} [heads, d_model, d_head],
 * {@code blocks.{l}.attn.W_O} [n_heads, d_head, d_model], {@code b_Q|b_K|b_V} [heads, d_head], {@code b_O},
 * {@code blocks.{l}.ln2.w|b}, {@code blocks.{l}.mlp.W_in|W_gate} [d_model, d_mlp], {@code W_out} [d_mlp, d_model],
 * {@code b_in|b_out}, {@code ln_final.w|b}, {@code W_U} [d_model, d_vocab], {@code b_U}. With grouped-query
 * attention {@code W_K}/{@code W_V} have {@code n_kv_heads} heads. Biases a checkpoint lacks are absent.
 * Tensors are produced on request, so asking for one weight does not copy the others.
 */
public interface Weights {
    Set<String> names();

    /** The named weight; throws a one-line error listing similar names if absent. */
    Tensor get(String name);

    default boolean has(String name) {
        return names().contains(name);
    }

    /** Weights held as tensors under their TransformerLens names. */
    static Weights of(Map<String, Tensor> tensors) {
        Map<String, Tensor> held = Map.copyOf(tensors);
        Set<String> names = Collections.unmodifiableSortedSet(new TreeSet<>(held.keySet()));
        return new Weights() {
            @Override
            public Set<String> names() {
                return names;
            }

            @Override
            public Tensor get(String name) {
                Tensor t = held.get(name);
                if (t == null) {
                    throw unknown(name, names);
                }
                return t;
            }
        };
    }

    /** The one-line error for a weight a model lacks, naming up to three it has with the same last part. */
    static LoupeException unknown(String name, Set<String> names) {
        String leaf = name.substring(name.lastIndexOf('.') + 1);
        String near = names.stream().filter(n -> n.endsWith(leaf)).sorted().limit(3).collect(Collectors.joining(", "));
        return new LoupeException("no weight named '" + name + "'" + (near.isEmpty() ? "" : "; similar: " + near));
    }
}
