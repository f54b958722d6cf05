package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Periodic checkpoints keep completing while two generators wait for the admission gate. The gate
 * makes the job a loop (a generator holds its input back until the learner publishes a version),
 * and with aligned barriers batch assembly blocked the channel of the generator whose barrier came
 * first while the other generator waited for a version that only those blocked groups could bring:
 * the checkpoint after the first few never completed (the cluster test's resume from a retained
 * checkpoint found none). {@link JobSettings} takes unaligned checkpoints for that reason.
 */
@Tag("djl")
class CheckpointsWithTwoGeneratorsITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(4)
            .build());

    @TempDir
    Path runDir;

    @Test
    void checkpointsCompleteWhileGeneratorsWaitForTheGate(@InjectMiniCluster MiniCluster cluster) throws Exception {
        // Oversampling 2 and one step of asynchrony: each generator's queue is full most of the time.
        PipelineFixtures.Knobs knobs = new PipelineFixtures.Knobs(2, 16, 2.0, 1, 3, 10_000, null, null);
        PipelinePlan plan = PipelineFixtures.plan(runDir, knobs);
        PipelineRunner.Settings options = PipelineRunner.Settings.inRunDirectory(false, 0, plan.slots(), 200, null, 0);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(PipelineRunner.faultTolerance(plan, options));
        RlPipelineJob.build(env, plan, PipelineFixtures.io(plan, 11, 0, 0));
        JobClient job = env.executeAsync("checkpoints-with-two-generators");
        try {
            CheckpointWatch watch = new CheckpointWatch(cluster, job.getJobID());
            List<CheckpointWatch.Completed> completed = watch.nextCompleted(8, 90_000);
            assertThat(completed).hasSize(8);
            assertThat(RunInvariants.steps(runDir))
                    .as("the learner trained meanwhile")
                    .isNotEmpty();
        } finally {
            job.cancel().get();
            while (!job.getJobStatus().get().isGloballyTerminalState()) {
                Thread.sleep(20); // the tasks stop writing into the run directory before it is removed
            }
        }
    }
}
