/** Loupe method: one-shot optimized steering vectors (Dunefsky et al., COLM 2025). */
module dev.loupe.method.steering {
    requires transitive dev.loupe.api;
    requires transitive dev.loupe.vectors;
    requires dev.loupe.io;
    requires dev.loupe.data;
    requires com.fasterxml.jackson.databind;
    requires dev.loupe.json;

    opens dev.loupe.method.steering to com.fasterxml.jackson.databind;

    exports dev.loupe.method.steering;

    provides dev.loupe.api.spi.Method with dev.loupe.method.steering.SteeringMethod,
            dev.loupe.method.steering.SteeringEvalMethod, dev.loupe.method.steering.SteeredGenerationMethod;
}
