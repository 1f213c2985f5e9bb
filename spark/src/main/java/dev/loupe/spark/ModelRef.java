package dev.loupe.spark;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.spi.LoadOptions;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.toymodel.EmbeddedModel;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model a job runs, as every executor finds it: a Hugging Face folder on a path all machines see (a shared mount,
 * or the same path on each), or the embedded model (null), on an engine found by {@link Plugins} (null: the
 * highest ranked). Each JVM loads it once ({@link #model}) and its tasks share it ({@link Model#run} takes any
 * number of threads).
 *
 * @param folder the checkpoint folder, or null for the embedded model
 * @param engine the engine plugin's name, or null
 * @param device the device, e.g. {@code cpu}
 */
public record ModelRef(String folder, String engine, String device) implements Serializable {
    private static final Map<ModelRef, Model> LOADED = new ConcurrentHashMap<>();

    public ModelRef {
        device = device == null ? "cpu" : device;
    }

    /** This JVM's copy of the model, loaded on first use. */
    public Model model() {
        return LOADED.computeIfAbsent(this, ModelRef::load);
    }

    private Model load() {
        Path dir;
        if (folder == null) {
            if (!EmbeddedModel.available()) {
                throw new LoupeException("no --model given and this build has no embedded model");
            }
            dir = EmbeddedModel.directory();
        } else {
            dir = Path.of(folder);
            if (!Files.isDirectory(dir)) {
                throw new LoupeException("--model " + folder + ": no such folder on this machine (every executor "
                        + "reads the checkpoint from the same path: a shared mount, or a copy on each)");
            }
        }
        return Plugins.discover().engine(engine).load(ModelSource.directory(dir), new LoadOptions(device));
    }
}
