package dev.tandem.server.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The server's packages depend one way: {@code core} (the internal model) at the bottom; the dialect
 * edges, the local and remote backends, routing and the operational steps above it, each only on what
 * lies below; configuration, the CLI and the assembly ({@code Tandem}, {@code Main}) on top. Any
 * backward reference (an import, a fully qualified name, a method call) fails this test.
 */
class LayersTest {
    private static final String SERVER = "dev.tandem.server";
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(SERVER);

    @Test
    void layersDependOnlyDownward() {
        ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Core").definedBy(SERVER + ".core..")
                .layer("Edges").definedBy(SERVER + ".api..")
                .layer("Local").definedBy(SERVER + ".local..")
                .layer("Remote").definedBy(SERVER + ".remote..")
                .layer("Routing").definedBy(SERVER + ".routing..")
                .layer("Operations").definedBy(SERVER + ".ops..")
                .layer("Configuration").definedBy(SERVER + ".config..")
                .layer("Cli").definedBy(SERVER + ".cli..")
                .layer("Assembly").definedBy(SERVER)
                .whereLayer("Assembly").mayNotBeAccessedByAnyLayer()
                .whereLayer("Cli").mayOnlyBeAccessedByLayers("Assembly")
                .whereLayer("Configuration").mayOnlyBeAccessedByLayers("Cli", "Assembly")
                .whereLayer("Edges").mayOnlyBeAccessedByLayers("Assembly")
                .whereLayer("Routing").mayOnlyBeAccessedByLayers("Configuration", "Assembly")
                .whereLayer("Remote").mayOnlyBeAccessedByLayers("Routing", "Configuration", "Assembly")
                .whereLayer("Local").mayOnlyBeAccessedByLayers("Configuration", "Assembly")
                .whereLayer("Operations").mayOnlyBeAccessedByLayers("Configuration", "Cli", "Assembly");
        layers.check(MAIN);
    }

    @Test
    void coreDependsOnNothingElseOfTheServer() {
        noClasses().that().resideInAPackage(SERVER + ".core..")
                .should().dependOnClassesThat().resideOutsideOfPackages(SERVER + ".core..", "java..", "dev.tandem.models..",
                        "org.slf4j..", "com.fasterxml.jackson.annotation..")
                .check(MAIN);
    }

    @Test
    void theSharedPartOfAGroupNeverReachesIntoItsMembers() {
        // api holds what both dialects share; ops what every operational step shares
        noClasses().that().resideInAPackage(SERVER + ".api")
                .should().dependOnClassesThat().resideInAnyPackage(SERVER + ".api.(*)..")
                .check(MAIN);
        noClasses().that().resideInAPackage(SERVER + ".ops")
                .should().dependOnClassesThat().resideInAnyPackage(SERVER + ".ops.(*)..")
                .check(MAIN);
    }

    @Test
    void noPackagesFormACycle() {
        slices().matching(SERVER + ".(**)").should().beFreeOfCycles().check(MAIN);
    }
}
