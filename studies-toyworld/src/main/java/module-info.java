/**
 * Loupe's studies on the embedded model's toy world, as method plugins: the demo (all three methods), the
 * greater-than circuit, ObsProp's three pronoun studies, steering's CAA and prefill baselines, and the transcoder
 * harvest and evaluation on toy-world text. {@code loupe demo} and the friendly commands' toy-world paths run them
 * by name; {@code loupe method run} runs them from JSON like any other plugin.
 */
module dev.loupe.studies.toyworld {
    requires transitive dev.loupe.api;
    requires dev.loupe.io;
    requires dev.loupe.report;
    requires dev.loupe.eval;
    requires dev.loupe.method.steering;
    requires dev.loupe.method.transcoder;
    requires dev.loupe.method.obsprop;
    requires com.fasterxml.jackson.databind;
    requires dev.loupe.json;
    requires dev.loupe.dictionary;
    requires dev.loupe.vectors;

    exports dev.loupe.studies.toyworld;
    exports dev.loupe.studies.toyworld.circuit;
    exports dev.loupe.studies.toyworld.obsprop;
    exports dev.loupe.studies.toyworld.demo;

    opens dev.loupe.studies.toyworld to com.fasterxml.jackson.databind;
    opens dev.loupe.studies.toyworld.circuit to com.fasterxml.jackson.databind;
    opens dev.loupe.studies.toyworld.obsprop to com.fasterxml.jackson.databind;
    opens dev.loupe.studies.toyworld.demo to com.fasterxml.jackson.databind;

    provides dev.loupe.api.spi.Method with dev.loupe.studies.toyworld.ToyWorldDemoMethod,
            dev.loupe.studies.toyworld.GreaterThanMethod, dev.loupe.studies.toyworld.PronounFeaturesMethod,
            dev.loupe.studies.toyworld.PronounCouplingMethod, dev.loupe.studies.toyworld.PronounProbesMethod,
            dev.loupe.studies.toyworld.ToyWorldHarvestMethod, dev.loupe.studies.toyworld.ToyWorldTranscoderEvalMethod,
            dev.loupe.studies.toyworld.ToyWorldCaaMethod, dev.loupe.studies.toyworld.ToyWorldPrefillMethod;
}
