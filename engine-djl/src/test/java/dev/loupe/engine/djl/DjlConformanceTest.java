package dev.loupe.engine.djl;

import dev.loupe.api.spi.Engine;
import dev.loupe.engine.tck.EngineConformance;

/** engine-djl passes the conformance kit. */
class DjlConformanceTest extends EngineConformance {
    @Override
    protected Engine engine() {
        return new DjlEngine();
    }
}
