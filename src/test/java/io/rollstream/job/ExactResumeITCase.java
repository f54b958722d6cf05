package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/invariants.md invariant 6: in synchronous mode (max_async_level 0, one generator) a run stopped with
 * a savepoint and resumed ends with bit-identical weights to an uninterrupted run of the same
 * config and seed, with the default continuous batching (up to 16 groups per forward pass): in
 * synchronous mode the rollout stage hands groups to the generator in waves whose composition
 * follows the data, not timing.
 */
@Tag("djl")
class ExactResumeITCase {

    /** Synchronous: every group of step n comes from version n; nothing is ever stale. */
    private static final PipelineFixtures.Knobs SYNC = new PipelineFixtures.Knobs(1, 16, 1.0, 0, 0, 8, null, null);

    @TempDir
    Path dir;

    /** One generator: the default slot-sharing group, the generator and the learner. */
    private static final int SLOTS = 3;

    private static PipelineRunner.Settings options(String resumeFrom) {
        return PipelineRunner.Settings.inRunDirectory(false, 0, SLOTS, 300, resumeFrom, 3);
    }

    @Test
    void aStoppedAndResumedRunEndsWithTheWeightsOfAnUninterruptedOne() throws Exception {
        Path straight = dir.resolve("straight");
        PipelinePlan plan = PipelineFixtures.plan(straight, SYNC);
        assertThat(PipelineRunner.run(plan, PipelineFixtures.io(plan, 11, 0, 0), options(null), line -> {})
                        .status())
                .isEqualTo(JobStatus.FINISHED);
        Map<String, float[]> expected =
                plan.store().load(SYNC.steps()).weights().toMap();

        Path resumed = dir.resolve("resumed");
        PipelinePlan first = PipelineFixtures.plan(resumed, SYNC);
        PipelineFixtures.runAndStopAfter(
                first, PipelineFixtures.slowed(PipelineFixtures.io(first, 11, 0, 0), 200), options(null), 2);
        assertThat(first.signals().isFinished())
                .as("the first run was stopped before its last step")
                .isFalse();
        PipelinePlan second = PipelineFixtures.planOnly(resumed, SYNC);
        assertThat(PipelineRunner.run(
                                second,
                                PipelineFixtures.io(second, 11, 0, 0),
                                options(ResumePoint.resolve(resumed.toString(), null)),
                                line -> {})
                        .status())
                .isEqualTo(JobStatus.FINISHED);

        assertThat(RunInvariants.steps(resumed)).hasSize((int) SYNC.steps());
        Map<String, float[]> actual =
                second.store().load(SYNC.steps()).weights().toMap();
        expected.forEach((name, w) -> assertThat(actual.get(name)).as(name).containsExactly(w));
    }
}
