package dev.loupe.hf.arch;

import dev.loupe.api.ModelSpec.Activation;
import dev.loupe.hf.HfConfig;

/** Hugging Face activation names → {@link Activation}. */
final class Activations {
    private Activations() {}

    static Activation parse(HfConfig config, String fallback, String... keys) {
        String name = config.string(fallback, keys);
        return switch (name) {
            case "gelu" -> Activation.GELU;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> Activation.GELU_TANH;
            case "relu" -> Activation.RELU;
            case "silu", "swish" -> Activation.SILU;
            default -> throw config.error(keys[0], "is '" + name + "' (expected gelu, gelu_new, gelu_pytorch_tanh, relu or silu)");
        };
    }
}
