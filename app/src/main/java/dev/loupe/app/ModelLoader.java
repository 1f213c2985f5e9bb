package dev.loupe.app;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.spi.Engine;
import dev.loupe.api.spi.LoadOptions;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.toymodel.EmbeddedModel;
import jakarta.inject.Inject;
import dev.loupe.app.cli.ProgressBar;
import dev.loupe.hf.hub.HubCache;
import dev.loupe.hf.hub.HubModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Turns the CLI's {@code --model}, {@code --engine} and {@code --device} into a loaded model. */
public final class ModelLoader {
    private final Plugins plugins;

    @Inject
    public ModelLoader(Plugins plugins) {
        this.plugins = plugins;
    }

    public Model load(Path model, String engine, String device) {
        return load(model, engine, device, LoadOptions.Processing.NONE);
    }

    /** As {@link #load(Path, String, String)}, with the weights processed as {@code processing} says. */
    public Model load(Path model, String engine, String device, LoadOptions.Processing processing) {
        Engine e = plugins.engine(engine);
        return e.load(ModelSource.directory(directory(model)), new LoadOptions(device, processing));
    }

    /**
     * Where {@code --model} points: the embedded model when absent, a local path when one exists, else a hub name
     * ({@code org/name[@revision]}) resolved in the Hugging Face cache, downloaded into it when missing (see
     * {@link HubCache}), with progress on standard error.
     */
    public static Path directory(Path model) {
        if (model == null) {
            return embedded();
        }
        if (Files.exists(model)) {
            return model;
        }
        Optional<HubModel> hub = HubModel.parse(model.toString());
        if (hub.isEmpty()) {
            return model;
        }
        return HubCache.fromEnvironment().resolve(hub.get(),
                ProgressBar.toStandardError());
    }

    /** The embedded default model's directory. */
    public static Path embedded() {
        if (!EmbeddedModel.available()) {
            throw new LoupeException("no --model given and this build has no embedded model; pass a Hugging Face "
                    + "model directory (config.json, model.safetensors, tokenizer.json)");
        }
        return EmbeddedModel.directory();
    }

    public Plugins plugins() {
        return plugins;
    }
}
