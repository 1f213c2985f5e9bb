/** Loupe engine on DJL's PyTorch engine: hookable forward, interventions and gradients. */
module dev.loupe.engine.djl {
    requires transitive dev.loupe.api;
    requires dev.loupe.hf;
    requires ai.djl.api;
    requires ai.djl.pytorch_engine;

    exports dev.loupe.engine.djl;
    exports dev.loupe.engine.djl.bench;

    provides dev.loupe.api.spi.Engine with dev.loupe.engine.djl.DjlEngine;
}
