package dev.loupe.app;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.spi.Engine;
import dev.loupe.api.spi.LoadOptions;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.toymodel.EmbeddedModel;
import jakarta.inject.Inject;
import java.nio.file.Path;

/** Turns the CLI's {@code --model}, {@code --engine} and {@code --device} into a loaded model. */
public final class ModelLoader {
    private final Plugins plugins;

    @Inject
    public ModelLoader(Plugins plugins) {
        this.plugins = plugins;
    }

    public Model load(Path model, String engine, String device) {
        Engine e = plugins.engine(engine);
        return e.load(ModelSource.directory(model == null ? embedded() : model), new LoadOptions(device));
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
