package dev.loupe.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;
import dev.loupe.io.SafetensorsFile;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value rules of the config fields every family shares, checked before an adapter computes with them, and the
 * agreement of the resulting spec with the checkpoint and the heap. Each violation is a one-line error naming the
 * field. The spellings are every family's: GPT-2's {@code n_head}, Llama's {@code num_attention_heads}, ….
 */
final class ConfigRanges {
    private static final List<String> LAYERS = List.of("num_hidden_layers", "n_layer", "num_layers");
    private static final List<String> HEADS = List.of("num_attention_heads", "n_head", "num_heads");
    private static final List<String> DIMENSIONS = List.of("num_hidden_layers", "n_layer", "num_layers",
            "num_attention_heads", "n_head", "num_heads", "num_key_value_heads", "hidden_size", "n_embd", "head_dim",
            "intermediate_size", "n_inner", "ffn_dim", "vocab_size", "max_position_embeddings", "n_positions", "n_ctx",
            "rotary_dim", "window_size", "sliding_window");
    private static final List<String> POSITIVE_NUMBERS = List.of("layer_norm_epsilon", "layer_norm_eps", "rms_norm_eps",
            "rope_theta", "rotary_emb_base", "rope_local_base_freq", "rope_parameters.rope_theta",
            "rope_parameters.full_attention.rope_theta", "rope_parameters.sliding_attention.rope_theta",
            "rope_parameters.factor", "rope_scaling.factor", "query_pre_attn_scalar", "attn_logit_softcapping",
            "final_logit_softcapping");
    private static final Pattern LAYER_INDEX = Pattern.compile("(?:^|\\.)(?:layers|h)\\.(\\d+)\\.");

    private ConfigRanges() {}

    /** Types and ranges of the shared fields; the layer count against the checkpoint's blocks. */
    static void check(HfConfig c, CheckpointTensors tensors) {
        for (String key : DIMENSIONS) {
            JsonNode n = c.peek(key);
            if (n != null && (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() <= 0)) {
                throw c.error(key, "is " + n + " (expected a positive integer below 2^31)");
            }
        }
        for (String key : POSITIVE_NUMBERS) {
            JsonNode n = c.peek(key);
            if (n != null && (!n.isNumber() || !(n.doubleValue() > 0) || Double.isInfinite(n.doubleValue()))) {
                throw c.error(key, "is " + n + " (expected a finite number > 0)");
            }
        }
        String heads = first(c, HEADS);
        JsonNode kv = c.peek("num_key_value_heads");
        if (heads != null && kv != null && c.peek(heads).intValue() % kv.intValue() != 0) {
            throw c.error("num_key_value_heads", "is " + kv + ", which does not divide the " + c.peek(heads)
                    + " attention heads (" + heads + ")");
        }
        String layerKey = first(c, LAYERS);
        if (layerKey != null) {
            int declared = c.peek(layerKey).intValue();
            int stored = storedLayers(tensors);
            if (declared != stored) {
                throw c.error(layerKey, "is " + declared + " but " + tensors.origin() + " holds " + stored
                        + " blocks of weights");
            }
        }
    }

    /** Relations the spec shows: heads divide the width (when d_head is derived); a rotary fits in a head. */
    static void check(HfConfig c, ModelSpec s) {
        String heads = first(c, HEADS);
        if (c.peek("head_dim") == null && s.dHead() * s.nHeads() != s.dModel() && heads != null) {
            throw c.error(heads, "is " + s.nHeads() + ", which does not divide the width " + s.dModel());
        }
        if (s.positional() == ModelSpec.PositionalKind.ROTARY && (s.rotaryDim() % 2 != 0 || s.rotaryDim() > s.dHead())) {
            throw new LoupeException(c.file() + ": the rotary dimension " + s.rotaryDim()
                    + " must be even and at most d_head " + s.dHead());
        }
    }

    /** The largest tensor must fit, as float32, in the heap left, twice (the file's bytes and the copy). */
    static void checkHeap(CheckpointTensors tensors) {
        SafetensorsFile.Entry largest = tensors.largest();
        if (largest == null) {
            return;
        }
        long bytes = 4 * largest.numel();
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (largest.numel() > Integer.MAX_VALUE - 8 || 2 * bytes > free) {
            throw new LoupeException(tensors.origin() + ": tensor '" + largest.name() + "' needs " + mib(bytes)
                    + " as float32 (twice that while loading), more than the " + mib(free) + " of heap left "
                    + "(raise -Xmx, e.g. LOUPE_JAVA_OPTS=-Xmx" + (2 * bytes / (1L << 30) + 2) + "g)");
        }
    }

    private static String first(HfConfig c, List<String> keys) {
        for (String k : keys) {
            if (c.peek(k) != null) {
                return k;
            }
        }
        return null;
    }

    /** One more than the highest block index in the tensor names (0 without blocks). */
    private static int storedLayers(CheckpointTensors tensors) {
        int layers = 0;
        for (String name : tensors.names()) {
            Matcher m = LAYER_INDEX.matcher(name);
            if (m.find()) {
                layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
            }
        }
        return layers;
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }
}
