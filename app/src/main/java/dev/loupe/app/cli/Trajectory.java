package dev.loupe.app.cli;

import dev.loupe.api.Tensor;
import dev.loupe.api.generation.GenerationResult;
import dev.loupe.io.SafetensorsWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A generation's trajectory as safetensors, the layout of a left-padded forward of the final sequences: each cached
 * hook under its TransformerLens name [batch, pos, …], {@code input_ids} [batch, pos] (0 at padding) and
 * {@code attention_mask} [batch, pos] (1 at the prompt's and the generated tokens, 0 at left padding and at the
 * positions after a sequence stopped, whose activations mean nothing).
 */
final class Trajectory {
    private Trajectory() {}

    static void write(Path file, List<int[]> prompts, GenerationResult r) {
        int batch = prompts.size();
        int promptLength = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        int length = promptLength + r.steps();
        long[] ids = new long[batch * length];
        long[] mask = new long[batch * length];
        for (int i = 0; i < batch; i++) {
            int[] p = prompts.get(i);
            int[] g = r.completions().get(i).tokens();
            int start = i * length + promptLength - p.length;
            for (int k = 0; k < p.length + g.length; k++) {
                ids[start + k] = k < p.length ? p[k] : g[k - p.length];
                mask[start + k] = 1;
            }
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        r.cache().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> tensors.put(e.getKey().name(), e.getValue()));
        Map<String, SafetensorsWriter.LongTensor> longs = new LinkedHashMap<>();
        longs.put("input_ids", new SafetensorsWriter.LongTensor(new int[] {batch, length}, ids));
        longs.put("attention_mask", new SafetensorsWriter.LongTensor(new int[] {batch, length}, mask));
        SafetensorsWriter.write(file, tensors, longs, Map.of("format", "pt"));
    }
}
