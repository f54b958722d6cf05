package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.FailureInjection;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real pipeline (tiny model) interrupted and continued: stop with a savepoint and resume from
 * the run directory; an injected failure in the rollout stage and in the learner, restored
 * automatically from the latest checkpoint. A bounded single-epoch problem set lets each test
 * check that every problem's group was trained or dropped exactly once ({@link RunInvariants}).
 */
@Tag("djl")
class RecoveryITCase {

    private static final int PROBLEMS = 96;
    /** Fresh problems for ever; the learner's step limit ends the run. */
    private static final PipelineFixtures.Knobs FRESH = new PipelineFixtures.Knobs(1, 16, 2.0, 1, 2, 14, null, null);
    /** With the bounded problem set: the learner's step limit is never reached, each run ends with its input. */
    private static final PipelineFixtures.Knobs KNOBS = new PipelineFixtures.Knobs(1, 16, 2.0, 1, 2, 1000, null, null);

    @TempDir
    Path runDir;

    @AfterEach
    void noInjection() {
        System.clearProperty(FailureInjection.PROPERTY);
    }

    /** One generator: the default slot-sharing group, the generator and the learner. */
    private static final int SLOTS = 3;

    private static PipelineRunner.Settings options(String resumeFrom) {
        return PipelineRunner.Settings.inRunDirectory(false, 0, SLOTS, 300, resumeFrom, 3);
    }

    private PipelineRunner.Result run(PipelinePlan plan, String resumeFrom) throws Exception {
        return run(plan, PipelineFixtures.io(plan, 11, PROBLEMS, 1), resumeFrom);
    }

    private PipelineRunner.Result run(PipelinePlan plan, PipelineIo io, String resumeFrom) throws Exception {
        return PipelineRunner.run(plan, io, options(resumeFrom), System.out::println);
    }

    @Test
    void stopWithSavepointThenResumeFromTheRunDirectory() throws Exception {
        PipelinePlan plan = PipelineFixtures.plan(runDir, FRESH);
        String savepoint = PipelineFixtures.runAndStopAfter(
                plan, PipelineFixtures.slowed(PipelineFixtures.io(plan, 11, 0, 0), 300), options(null), 2);
        int stepsBefore = RunInvariants.steps(runDir).size();
        assertThat(Path.of(ResumePoint.resolve(runDir.toString(), null)).toUri())
                .isEqualTo(Path.of(URI.create(savepoint)).toUri());

        String resumePoint = ResumePoint.resolve(runDir.toString(), null);
        PipelineRunner.Result second =
                run(PipelineFixtures.planOnly(runDir, FRESH), PipelineFixtures.io(plan, 11, 0, 0), resumePoint);
        assertThat(second.status()).isEqualTo(JobStatus.FINISHED);
        assertThat(stepsBefore).as("the first run was stopped midway").isLessThan((int) FRESH.steps());
        RunInvariants.checkFresh(runDir, FRESH);
        // On record: the first job, its stop, the resume (at the savepoint's learner step) and the
        // learner's own stop at the end; no restart.
        List<JsonNode> events = new RunEvents(runDir.resolve(RunEvents.FILE)).read();
        assertThat(events).extracting(e -> e.path("event").asText()).containsExactly("start", "stop", "resume", "stop");
        assertThat(events.get(1).path("reason").asText()).isEqualTo("rollstream stop");
        assertThat(events.get(1).path("savepoint").asText()).isEqualTo(savepoint);
        assertThat(events.get(2).path("after").asText()).isEqualTo("stop");
        assertThat(events.get(2).path("from").asText()).isEqualTo(resumePoint);
        assertThat(events.get(2).path("step").asLong())
                .as("the savepoint's learner step")
                .isBetween((long) stepsBefore - 1, (long) stepsBefore + 1);
        assertThat(events.get(3).path("reason").asText()).isEqualTo("the learner finished");
        assertThat(second.restarts()).isZero();
    }

    @Test
    void aFailureInTheLearnerIsRestoredFromTheLatestCheckpoint() throws Exception {
        runWithInjectedFailure("learner@4");
    }

    @Test
    void aFailureInTheRolloutStageIsRestoredFromTheLatestCheckpoint() throws Exception {
        runWithInjectedFailure("rollout@4");
    }

    private void runWithInjectedFailure(String spec) throws Exception {
        System.setProperty(FailureInjection.PROPERTY, spec);
        PipelinePlan plan = PipelineFixtures.plan(runDir, KNOBS);
        // Generation slowed down: an untrained policy's groups are mostly dropped and give their
        // slots back, so at full speed the 96 problems could all be generated before the learner
        // (on its own thread) publishes the version the injected failure waits for.
        PipelineRunner.Result result =
                run(plan, PipelineFixtures.slowed(PipelineFixtures.io(plan, 11, PROBLEMS, 1), 100), null);
        assertThat(result.status()).isEqualTo(JobStatus.FINISHED);
        assertThat(plan.signals().fence())
                .get()
                .as("the job restarted once")
                .satisfies(f -> assertThat(f.attempt()).endsWith("-1"));
        RunInvariants.check(runDir, KNOBS, PROBLEMS);
        // The restart is on record with its cause, the checkpoint it restored and the learner step.
        assertThat(result.restarts()).isEqualTo(1);
        List<JsonNode> restarts = new RunEvents(runDir.resolve(RunEvents.FILE))
                .read().stream()
                        .filter(e -> e.path("event").asText().equals(RunEvents.RESTART))
                        .toList();
        assertThat(restarts).hasSize(1);
        JsonNode restart = restarts.get(0);
        assertThat(restart.path("cause").asText())
                .startsWith(FailureInjection.InjectedFailure.class.getName())
                .contains("failed on purpose")
                .doesNotContain("\n");
        assertThat(restart.path("step").asLong())
                .isEqualTo(plan.signals().fence().get().step());
        if (restart.has("restored_checkpoint")) {
            assertThat(restart.path("checkpoint_path").asText()).contains("chk-" + restart.path("restored_checkpoint"));
        } else {
            assertThat(restart.path("restored").asText())
                    .containsAnyOf("no checkpoint had completed", "the job ended before Flink was asked");
        }
    }
}
