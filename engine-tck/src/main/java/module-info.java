/**
 * The engine conformance kit: {@link dev.loupe.engine.tck.EngineConformance}, the JUnit 5 tests every engine runs
 * by extending one class, with the golden checkpoints they compare against.
 */
module dev.loupe.engine.tck {
    requires transitive dev.loupe.api;
    requires dev.loupe.io;
    requires transitive org.junit.jupiter.api;
    requires org.junit.jupiter.params;

    exports dev.loupe.engine.tck;

    opens dev.loupe.engine.tck to org.junit.platform.commons;
}
