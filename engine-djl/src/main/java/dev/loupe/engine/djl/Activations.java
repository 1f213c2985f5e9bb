package dev.loupe.engine.djl;

import ai.djl.ndarray.NDArray;
import dev.loupe.api.ModelSpec.Activation;

/** MLP non-linearities in NDArray ops (differentiable). */
final class Activations {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    private Activations() {}

    static NDArray apply(Activation a, NDArray x) {
        return switch (a) {
            case GELU -> ai.djl.nn.Activation.gelu(x); // PyTorch's fused erf GELU: x/2 · (1 + erf(x/√2))
            case GELU_TANH -> x.mul(x.add(x.pow(3).mul(0.044715)).mul(SQRT_2_OVER_PI).tanh().add(1)).mul(0.5);
            case RELU -> x.maximum(0f);
            case SILU -> x.mul(x.neg().exp().add(1).pow(-1));
        };
    }
}
