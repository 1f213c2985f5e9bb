package dev.loupe.app;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.spi.Engine;
import dev.loupe.api.spi.LoadOptions;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
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
        if (model == null) {
            throw new LoupeException("no --model given: pass a Hugging Face model directory (config.json, "
                    + "model.safetensors, tokenizer.json); no embedded default model is bundled yet");
        }
        Engine e = plugins.engine(engine);
        return e.load(ModelSource.directory(model), new LoadOptions(device));
    }

    public Plugins plugins() {
        return plugins;
    }
}
