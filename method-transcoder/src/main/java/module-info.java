/** Loupe method: transcoders and feature circuits (Dunefsky et al., NeurIPS 2024). */
module dev.loupe.method.transcoder {
    requires transitive dev.loupe.api;
    requires dev.loupe.io;
    requires dev.loupe.data;
    requires dev.loupe.report;
    requires com.fasterxml.jackson.databind;
    requires dev.loupe.json;
    requires transitive dev.loupe.dictionary;
    requires com.fasterxml.jackson.dataformat.yaml;

    exports dev.loupe.method.transcoder;
    exports dev.loupe.method.transcoder.circuit;

    opens dev.loupe.method.transcoder to com.fasterxml.jackson.databind;
    opens dev.loupe.method.transcoder.circuit to com.fasterxml.jackson.databind;

    provides dev.loupe.api.spi.Method with dev.loupe.method.transcoder.TranscoderTrainingMethod,
            dev.loupe.method.transcoder.HarvestMethod, dev.loupe.method.transcoder.TranscoderEvalMethod,
            dev.loupe.method.transcoder.FeatureClampMethod,
            dev.loupe.method.transcoder.circuit.CircuitMethod;
}
