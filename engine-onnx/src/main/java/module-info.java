/**
 * Loupe engine on ONNX Runtime: exports models to ONNX with every hook point a named tensor, and runs them with
 * caching and data interventions (no gradients).
 */
module dev.loupe.engine.onnx {
    requires transitive dev.loupe.api;
    requires dev.loupe.io;
    requires dev.loupe.hf;
    requires dev.loupe.data;
    requires com.fasterxml.jackson.databind;
    requires dev.loupe.json;
    requires com.microsoft.onnxruntime;
    requires org.tribuo.util.onnx;
    requires com.google.protobuf;

    exports dev.loupe.engine.onnx;

    provides dev.loupe.api.spi.Engine with dev.loupe.engine.onnx.OnnxEngine;
}
