/**
 * Loupe's stable contract: tensors, hook points, model specs, interventions, objectives, and the engine, method
 * and evaluator service interfaces that plugins implement. Depends on the JDK (and Jackson's annotations) only.
 */
module dev.loupe.api {
    requires transitive com.fasterxml.jackson.annotation;

    exports dev.loupe.api;
    exports dev.loupe.api.intervention;
    exports dev.loupe.api.objective;
    exports dev.loupe.api.spi;
    exports dev.loupe.api.training;
    exports dev.loupe.api.generation;
    // Tensor's JSON creator names its private fields' properties; Jackson reaches them reflectively.
    opens dev.loupe.api to com.fasterxml.jackson.databind;

    uses dev.loupe.api.spi.Engine;
    uses dev.loupe.api.spi.Method;
    uses dev.loupe.api.spi.Evaluator;
}
