package dev.loupe.engine.onnx;

import dev.loupe.api.spi.Engine;
import dev.loupe.engine.tck.EngineConformance;

/** engine-onnx passes the conformance kit. */
class OnnxConformanceTest extends EngineConformance {
    @Override
    protected Engine engine() {
        return new OnnxEngine();
    }
}
