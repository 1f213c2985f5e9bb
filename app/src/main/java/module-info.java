/**
 * The Loupe application: the CLI and the Guice wiring of whatever engines, methods and evaluators ServiceLoader
 * finds. Nothing depends on this module.
 */
module dev.loupe.app {
    requires transitive dev.loupe.api;
    requires dev.loupe.io;
    requires dev.loupe.report;
    requires dev.loupe.hf;
    requires dev.loupe.data;
    requires dev.loupe.chat;
    requires dev.loupe.engine.djl;
    requires dev.loupe.eval;
    requires dev.loupe.toymodel;
    requires transitive com.google.guice;
    requires transitive jakarta.inject;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;
    requires dev.loupe.json;
    requires dev.loupe.dictionary;
    requires dev.loupe.vectors;

    exports dev.loupe.app;

    opens dev.loupe.app to com.google.guice;
    opens dev.loupe.app.cli to info.picocli, com.google.guice, com.fasterxml.jackson.databind;
}
