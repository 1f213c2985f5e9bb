package dev.loupe.app.cli;

import java.nio.file.Path;
import dev.loupe.api.Model;
import dev.loupe.api.spi.LoadOptions;
import dev.loupe.app.ModelLoader;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Options every model-using command shares. */
public final class ModelOptions {
    @Option(names = "--model", paramLabel = "DIR|ORG/NAME[@REV]", description = "Hugging Face model directory, or a hub "
            + "name found in the HF cache ($HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub) and downloaded into it "
            + "when missing unless HF_HUB_OFFLINE is set (default: the embedded toy model).")
    Path model;

    @Option(names = "--engine", paramLabel = "NAME", description = "Engine plugin (default: highest ranked, djl).")
    String engine;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--processing", paramLabel = "NAME", defaultValue = "none", converter = ProcessingName.class,
            description = "Weight processing at load: none (default, TransformerLens's from_pretrained_no_processing) "
                    + "or transformer-lens (fold norms, centre writing weights and the unembedding, fold value biases, "
                    + "as HookedTransformer.from_pretrained).")
    LoadOptions.Processing processing;

    @Option(names = "--json", description = "Machine-readable JSON on standard output.")
    boolean json;

    /** The model these options name, loaded through {@code loader}. */
    Model load(ModelLoader loader) {
        return loader.load(model, engine, device, processing);
    }

    /** {@code none} or {@code transformer-lens}; anything else is a one-line usage error. */
    static final class ProcessingName implements CommandLine.ITypeConverter<LoadOptions.Processing> {
        @Override
        public LoadOptions.Processing convert(String value) {
            return switch (value) {
                case "none" -> LoadOptions.Processing.NONE;
                case "transformer-lens" -> LoadOptions.Processing.TRANSFORMER_LENS;
                default -> throw new CommandLine.TypeConversionException("'" + value
                        + "' (expected none or transformer-lens)");
            };
        }
    }

    /** How results name the model: its directory, or "embedded". */
    String modelName() {
        return model == null ? "embedded" : model.toString();
    }

    /** {@code layer} when given (≥ 0), else the model's middle block. */
    static int layerOrMiddle(int layer, dev.loupe.api.Model m) {
        return layer >= 0 ? layer : m.spec().nLayers() / 2;
    }
}
