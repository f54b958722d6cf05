package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * State formats stay readable: a run directory stopped with a savepoint by an earlier version of
 * Rollstream — committed under {@value #FIXTURES} with the commit that wrote it in its name — is
 * resumed by this version, which must continue it to the end without losing or repeating a group.
 * Every operator's state is in that savepoint (the source's position, the rollout stage's keyed
 * problem state and pending groups, batch assembly's waiting groups and counts, the learner's
 * checkpoint, the invalid-record count), so a change to any state format that the new code cannot
 * read fails here.
 *
 * <p>When a release changes a state format on purpose, its versioned serializer reads the old form;
 * add a fixture of the new version beside the old ones (run {@link #writeFixture} with {@code
 * -Dfixture.out=DIR}) and keep the old ones.
 */
@Tag("djl")
class PreviousVersionSavepointITCase {

    static final String FIXTURES = "src/test/resources/savepoints";
    /** Written by main at ee02833 (the state formats of issues 1-16), stopped after 2 of 14 steps. */
    static final String MAIN_EE02833 = "main-ee02833";

    private static final PipelineFixtures.Knobs KNOBS =
            new PipelineFixtures.Knobs(1, 16, 2.0, 1, 2, 14, null, null);
    private static final long RUN_SEED = 11;
    /** One generator: the default slot-sharing group, the generator and the learner. */
    private static final int SLOTS = 3;

    @TempDir
    Path runDir;

    @Test
    void aRunStoppedByMainAtEe02833IsContinuedToItsEnd() throws Exception {
        copyTree(Path.of(FIXTURES, MAIN_EE02833), runDir);
        int stepsBefore = RunInvariants.steps(runDir).size();

        PipelinePlan plan = PipelineFixtures.planOnly(runDir, KNOBS);
        PipelineRunner.Result resumed = PipelineRunner.run(plan, PipelineFixtures.io(plan, RUN_SEED, 0, 0),
                options(ResumePoint.resolve(runDir.toString(), null)), line -> { });

        assertThat(resumed.status()).isEqualTo(JobStatus.FINISHED);
        assertThat(stepsBefore).as("the fixture was stopped midway").isBetween(1, (int) KNOBS.steps() - 1);
        RunInvariants.checkFresh(runDir, KNOBS);
    }

    /** Writes a fixture of this version's state formats: {@code -Dfixture.out=DIR} (a new directory). */
    @Test
    @EnabledIfSystemProperty(named = "fixture.out", matches = ".+")
    void writeFixture() throws Exception {
        PipelinePlan plan = PipelineFixtures.plan(runDir, KNOBS);
        PipelineFixtures.runAndStopAfter(plan,
                PipelineFixtures.slowed(PipelineFixtures.io(plan, RUN_SEED, 0, 0), 300), options(null), 2);
        Path out = Path.of(System.getProperty("fixture.out"));
        copyTree(runDir, out);
        deleteTree(out.resolve("checkpoints")); // the savepoint is the restore point; checkpoints only add bytes
        deleteTree(out.resolve("tmp"));
    }

    private static PipelineRunner.Options options(String resumeFrom) {
        return PipelineRunner.Options.inRunDirectory(false, 0, SLOTS, 300, resumeFrom, 3);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            paths.forEach(p -> {
                try {
                    Path target = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
