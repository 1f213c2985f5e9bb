package dev.loupe.app.cli;

import dev.loupe.app.ModelLoader;
import jakarta.inject.Inject;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every model-using command shares: the model options, picocli's spec (for output) and the model loader. */
abstract class ModelCommand implements Runnable {
    @Mixin
    ModelOptions options;

    @Spec
    CommandSpec spec;

    @Inject
    ModelLoader loader;
}
