package io.rollstream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of the product code, frozen. From the bottom up:
 *
 * <ul>
 *   <li><b>shared</b>: types on the wire, tasks, tokenizers, models and their files (and their export), sampling,
 *       checkpoints, the policy store, evaluation, device selection, metric plumbing. Used by
 *       everyone, never using a stage, the config or the job.
 *   <li><b>stages</b>: {@code source}, {@code rollout}, {@code teacher}, {@code batch}, {@code learner},
 *       {@code output}. A stage never imports another stage: what two stages share lives in a shared
 *       package.
 *   <li><b>config</b>: the run's configuration, bound to the stages' own records.
 *   <li><b>job</b>: the only package that wires stages into a Flink job.
 *   <li><b>tools</b>: the command line, benchmarks, experiments and reports, which drive the job.
 * </ul>
 *
 * And no package cycles anywhere.
 */
class ArchitectureTest {

    private static final String[] SHARED = {
        "common",
        "types",
        "tasks",
        "tokenizer",
        "model",
        "sampling",
        "safetensors",
        "huggingface",
        "checkpoint",
        "export",
        "policy",
        "eval",
        "device",
        "metrics"
    };
    private static final String[] STAGES = {"source", "rollout", "teacher", "batch", "learner", "output"};
    private static final String[] TOOLS = {"cli", "bench", "experiment", "report"};

    private static JavaClasses product;

    @BeforeAll
    static void importProductClasses() {
        product = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("io.rollstream");
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("io.rollstream.(*)..").should().beFreeOfCycles().check(product);
    }

    @Test
    void stagesNeverImportOneAnotherAndSharedPackagesSitAtTheBottom() {
        LayeredArchitecture layers = layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("shared")
                .definedBy(packages(SHARED))
                .layer("config")
                .definedBy("io.rollstream.config..")
                .layer("job")
                .definedBy("io.rollstream.job..")
                .layer("tools")
                .definedBy(packages(TOOLS));
        for (String stage : STAGES) {
            layers = layers.layer(stage).definedBy("io.rollstream." + stage + "..");
        }
        for (String stage : STAGES) {
            layers = layers.whereLayer(stage).mayOnlyBeAccessedByLayers("config", "job", "tools");
        }
        layers.whereLayer("config")
                .mayOnlyBeAccessedByLayers("job", "tools")
                .whereLayer("job")
                .mayOnlyBeAccessedByLayers("tools")
                .whereLayer("tools")
                .mayNotBeAccessedByAnyLayer()
                .check(product);
    }

    @Test
    void everyProductPackageHasItsPlaceInTheLayers() {
        // a new package must be given a layer above, or the layer rules would not see it
        classes()
                .that()
                .resideInAPackage("io.rollstream..")
                .should()
                .resideInAnyPackage(allPackages())
                .check(product);
    }

    private static String[] packages(String... names) {
        String[] patterns = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            patterns[i] = "io.rollstream." + names[i] + "..";
        }
        return patterns;
    }

    private static String[] allPackages() {
        return packages(Stream.of(SHARED, STAGES, TOOLS, new String[] {"config", "job"})
                .flatMap(Stream::of)
                .toArray(String[]::new));
    }
}
