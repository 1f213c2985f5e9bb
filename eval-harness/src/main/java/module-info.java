/**
 * Loupe's evaluation harness: the toy world (generated tasks with ground truth, vocabulary, training loop) that
 * the embedded model is trained on, and one evaluator plugin per task.
 */
module dev.loupe.eval {
    requires transitive dev.loupe.api;
    requires dev.loupe.io;
    requires com.fasterxml.jackson.databind;
    requires dev.loupe.json;

    exports dev.loupe.eval;
    exports dev.loupe.eval.toy;

    provides dev.loupe.api.spi.Evaluator with
            dev.loupe.eval.TaskEvaluators.GreaterThanEval,
            dev.loupe.eval.TaskEvaluators.PronounsEval,
            dev.loupe.eval.TaskEvaluators.PartyEval,
            dev.loupe.eval.TaskEvaluators.CodeLanguageEval,
            dev.loupe.eval.TaskEvaluators.RefusalEval,
            dev.loupe.eval.TaskEvaluators.TriggerChoiceEval;
}
