package dev.loupe.engine.djl;

import dev.loupe.api.Model;
import dev.loupe.io.SafetensorsFile;
import dev.loupe.api.spi.ModelSource;

/** Loads the golden checkpoints and their input ids. */
final class GoldenModels {
    private GoldenModels() {}

    static Model load(String name) {
        return new DjlEngine().load(ModelSource.directory(TestData.golden(name)));
    }

    /** The ids of golden sequence {@code seq} (lengths 1, 7, 33). */
    static int[] ids(String name, int seq) {
        try (SafetensorsFile f = SafetensorsFile.open(TestData.golden(name).resolve("activations.safetensors"))) {
            long[] ids = f.longs("seq" + seq + ".input_ids");
            int[] out = new int[ids.length];
            for (int i = 0; i < ids.length; i++) {
                out[i] = (int) ids[i];
            }
            return out;
        }
    }
}
