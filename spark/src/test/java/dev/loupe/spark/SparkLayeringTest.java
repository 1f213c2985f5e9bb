package dev.loupe.spark;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The spark module's place in docs/architecture.md: above data and method-transcoder, engines only by name. */
class SparkLayeringTest {
    private static final JavaClasses LOUPE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.loupe");

    @Test
    void sparkFindsEnginesThroughPluginsAndKnowsNoAppOrOtherMethod() {
        noClasses().that().resideInAPackage("dev.loupe.spark..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.loupe.engine..", "dev.loupe.app..", "dev.loupe.method.steering..",
                        "dev.loupe.method.obsprop..", "dev.loupe.eval..", "ai.djl..")
                .check(LOUPE);
    }

    @Test
    void nothingElseDependsOnSpark() {
        noClasses().that().resideOutsideOfPackage("dev.loupe.spark..").should().dependOnClassesThat()
                .resideInAPackage("dev.loupe.spark..").check(LOUPE);
    }
}
