package dev.loupe.app.cli;

import java.nio.file.Path;
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

    @Option(names = "--json", description = "Machine-readable JSON on standard output.")
    boolean json;

    /** How results name the model: its directory, or "embedded". */
    String modelName() {
        return model == null ? "embedded" : model.toString();
    }

    /** {@code layer} when given (≥ 0), else the model's middle block. */
    static int layerOrMiddle(int layer, dev.loupe.api.Model m) {
        return layer >= 0 ? layer : m.spec().nLayers() / 2;
    }
}
