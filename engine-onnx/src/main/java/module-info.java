/** Loupe: ONNX Runtime engine (issue 4). Placeholder until its issue lands. */
module dev.loupe.engine.onnx {
    requires dev.loupe.api;
}
