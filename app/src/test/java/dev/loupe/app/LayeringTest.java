package dev.loupe.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructor;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The layering of docs/architecture.md, checked on the compiled classes of every module. */
class LayeringTest {
    private static JavaClasses loupe;

    @BeforeAll
    static void importClasses() {
        loupe = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.loupe");
    }

    @Test
    void apiDependsOnTheJdkOnly() {
        classes().that().resideInAPackage("dev.loupe.api..").should().onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "dev.loupe.api..").check(loupe);
    }

    @Test
    void theApisJsonBindingKnowsTheApiAndJacksonOnly() {
        classes().that().resideInAPackage("dev.loupe.json..").should().onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "dev.loupe.api..", "dev.loupe.json..", "com.fasterxml.jackson..")
                .check(loupe);
    }

    /** Every Jackson mapper knows the api's binding, so a hook point or tensor has one spelling in every file. */
    @Test
    void jacksonMappersAreMadeByLoupeJsonOnly() {
        DescribedPredicate<AccessTarget.CodeUnitCallTarget> mapperFactory = DescribedPredicate.describe(
                "a Jackson mapper's constructor or builder", t -> t.getOwner().isAssignableTo(ObjectMapper.class)
                        && (t.getName().equals(JavaConstructor.CONSTRUCTOR_NAME) || t.getName().equals("builder")));
        noClasses().that().resideOutsideOfPackage("dev.loupe.json..").should()
                .callCodeUnitWhere(JavaCall.Predicates.target(mapperFactory))
                .because("LoupeJson.mapper(), pretty() and builder() register the api's JSON binding").check(loupe);
        assertThrows(AssertionError.class, () -> noClasses().should()
                .callCodeUnitWhere(JavaCall.Predicates.target(mapperFactory)).check(loupe), "the rule sees LoupeJson's");
    }

    @Test
    void fileFormatsDependOnTheJdkAndTheApiOnly() {
        classes().that().resideInAPackage("dev.loupe.io..").should().onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "dev.loupe.api..", "dev.loupe.io..").check(loupe);
    }

    @Test
    void everyClassLivesInAKnownModulePackage() {
        classes().should().resideInAnyPackage("dev.loupe.api..", "dev.loupe.json..", "dev.loupe.io..", "dev.loupe.hf..", "dev.loupe.data..", "dev.loupe.chat..",
                "dev.loupe.dictionary..", "dev.loupe.vectors..", "dev.loupe.engine.djl..",
                "dev.loupe.engine.onnx..", "dev.loupe.engine.tck..", "dev.loupe.method.steering..", "dev.loupe.method.transcoder..",
                "dev.loupe.method.obsprop..", "dev.loupe.eval..", "dev.loupe.toymodel..", "dev.loupe.report..",
                "dev.loupe.studies.toyworld..", "dev.loupe.app..")
                .because("a new module must be added to this test and to docs/architecture.md").check(loupe);
    }

    /** SAE and transcoder files are read without the transcoder method, by methods, the app and tools alike. */
    @Test
    void dictionaryFilesKnowTheApiIoAndJsonOnly() {
        classes().that().resideInAPackage("dev.loupe.dictionary..").should().onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "dev.loupe.api..", "dev.loupe.io..", "dev.loupe.json..",
                        "dev.loupe.dictionary..", "com.fasterxml.jackson..").check(loupe);
    }

    /** Steering vectors are read, written and applied without the method that made them. */
    @Test
    void vectorFilesKnowTheApiIoDataAndJsonOnly() {
        classes().that().resideInAPackage("dev.loupe.vectors..").should().onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "dev.loupe.api..", "dev.loupe.io..", "dev.loupe.data..",
                        "dev.loupe.json..", "dev.loupe.vectors..", "com.fasterxml.jackson..").check(loupe);
    }

    @Test
    void reportPagesKnowNoMethodModelOrFormatBeyondIo() {
        classes().that().resideInAPackage("dev.loupe.report..").should().onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "dev.loupe.io..", "dev.loupe.report..").check(loupe);
    }

    /** The toy-world studies are plugins: found by ServiceLoader, named by no other module. */
    @Test
    void nothingNamesTheToyWorldStudies() {
        noClasses().that().resideOutsideOfPackage("dev.loupe.studies..").should().dependOnClassesThat()
                .resideInAPackage("dev.loupe.studies..").check(loupe);
    }

    /** The front-ends run methods through the plugin SPI only: no class of the app names a method's. */
    @Test
    void theAppNamesNoMethodClass() {
        noClasses().that().resideInAPackage("dev.loupe.app..").should().dependOnClassesThat()
                .resideInAPackage("dev.loupe.method..").check(loupe);
    }

    @Test
    void methodsUseTheApiNotEnginesOrCheckpoints() {
        noClasses().that().resideInAPackage("dev.loupe.method..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.loupe.engine..", "dev.loupe.hf..", "dev.loupe.eval..", "ai.djl.pytorch..")
                .allowEmptyShould(true).check(loupe);
    }

    @Test
    void enginesDoNotKnowMethodsEvaluatorsOrEachOther() {
        noClasses().that().resideInAPackage("dev.loupe.engine..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.loupe.method..", "dev.loupe.eval..").check(loupe);
        slices().matching("dev.loupe.engine.(*)..").should().notDependOnEachOther().allowEmptyShould(true).check(loupe);
        slices().matching("dev.loupe.method.(*)..").should().notDependOnEachOther().allowEmptyShould(true).check(loupe);
    }

    @Test
    void evalHarnessReachesMethodsOnlyThroughTheApi() {
        noClasses().that().resideInAPackage("dev.loupe.eval..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.loupe.engine..", "dev.loupe.method..").allowEmptyShould(true).check(loupe);
    }

    @Test
    void checkpointReadingKnowsNoEngineOrMethod() {
        noClasses().that().resideInAPackage("dev.loupe.hf..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.loupe.engine..", "dev.loupe.method..", "dev.loupe.eval..").check(loupe);
    }

    @Test
    void dataReadersKnowOnlyTheApi() {
        noClasses().that().resideInAPackage("dev.loupe.data..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.loupe.engine..", "dev.loupe.method..", "dev.loupe.eval..", "dev.loupe.hf..")
                .check(loupe);
    }

    @Test
    void chatTemplatesKnowOnlyTheApi() {
        noClasses().that().resideInAPackage("dev.loupe.chat..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.loupe.engine..", "dev.loupe.method..", "dev.loupe.eval..", "dev.loupe.hf..",
                        "dev.loupe.data..").check(loupe);
    }

    /** Engines are plugins: the app names engine classes in its wiring package only (the bench's matmul table). */
    @Test
    void theAppNamesEngineClassesOnlyInItsWiringPackage() {
        noClasses().that().resideInAPackage("dev.loupe.app..").and().resideOutsideOfPackage("dev.loupe.app.wiring..")
                .should().dependOnClassesThat().resideInAPackage("dev.loupe.engine..").check(loupe);
    }

    @Test
    void nothingDependsOnTheApp() {
        noClasses().that().resideOutsideOfPackage("dev.loupe.app..").should().dependOnClassesThat()
                .resideInAPackage("dev.loupe.app..").check(loupe);
    }
}
