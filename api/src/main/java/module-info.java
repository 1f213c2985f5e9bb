/**
 * Loupe's stable contract: tensors, hook points, model specs, interventions, objectives, and the engine, method
 * and evaluator service interfaces that plugins implement. Depends on the JDK only: its JSON binding is the
 * {@code dev.loupe.json} module.
 */
module dev.loupe.api {
    exports dev.loupe.api;
    exports dev.loupe.api.intervention;
    exports dev.loupe.api.objective;
    exports dev.loupe.api.spi;
    exports dev.loupe.api.training;
    exports dev.loupe.api.generation;

    uses dev.loupe.api.spi.Engine;
    uses dev.loupe.api.spi.Method;
    uses dev.loupe.api.spi.Evaluator;
    uses dev.loupe.api.spi.InterventionKind;
}
