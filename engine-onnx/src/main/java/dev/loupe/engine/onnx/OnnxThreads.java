package dev.loupe.engine.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.loupe.api.LoupeException;

/**
 * How many threads ONNX Runtime runs a graph with, set on every session rather than left to its own choice:
 * {@code LOUPE_ONNX_THREADS} (or the system property {@code loupe.onnx.threads}) when given, else one per
 * available processor, the count engine-djl's PyTorch and the peer benchmark use. The graph's operators run one
 * after another (sequential execution, one inter-op thread), each over that many intra-op threads.
 */
final class OnnxThreads {
    static final String ENV = "LOUPE_ONNX_THREADS";
    static final String PROPERTY = "loupe.onnx.threads";

    private OnnxThreads() {}

    /** The configured count: the property over the environment, else the available processors. */
    static int count() {
        String property = System.getProperty(PROPERTY);
        if (property != null) {
            return parse(property, "-D" + PROPERTY);
        }
        String env = System.getenv(ENV);
        return env == null ? Runtime.getRuntime().availableProcessors() : parse(env, ENV);
    }

    static int parse(String value, String source) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the expected form
        }
        throw new LoupeException(source + " is '" + value + "' (expected a thread count of at least 1)");
    }

    static void apply(OrtSession.SessionOptions options, int threads) throws OrtException {
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
    }
}
