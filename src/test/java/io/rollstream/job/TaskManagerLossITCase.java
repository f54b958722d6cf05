package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.CommonTestUtils;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two generators on two task managers of two slots each (the job takes four: the default slot-sharing
 * group, two generators and the learner); the task managers die mid-run. The job
 * restores from its latest checkpoint on replacement task managers and trains to its last step,
 * keeping {@link RunInvariants}.
 */
@Tag("djl")
class TaskManagerLossITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(2)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    Path runDir;

    @Test
    void losingATaskManagerRestoresFromTheLatestCheckpoint(@InjectMiniCluster MiniCluster cluster) throws Exception {
        PipelineFixtures.Knobs knobs = new PipelineFixtures.Knobs(2, 16, 2.0, 1, 2, 16, null, null);
        PipelinePlan plan = PipelineFixtures.plan(runDir, knobs);
        PipelineRunner.Settings options = PipelineRunner.Settings.inRunDirectory(false, 0, plan.slots(), 300, null, 3);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(PipelineRunner.faultTolerance(plan, options));
        RlPipelineJob.build(env, plan, PipelineFixtures.slowed(PipelineFixtures.io(plan, 11, 0, 0), 300));
        JobClient job = env.executeAsync("task-manager-loss");

        CommonTestUtils.waitForCheckpoint(job.getJobID(), cluster, 1);
        long deadline = System.currentTimeMillis() + 60_000;
        while (RunInvariants.steps(runDir).size() < 2) {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.sleep(20);
        }
        assertThat(job.getJobStatus().get())
                .as("still running when the task manager dies")
                .isEqualTo(JobStatus.RUNNING);
        // The job's tasks are spread over both task managers. Lose both, then give the job two fresh ones.
        cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
        cluster.terminateTaskManager(1).get(30, TimeUnit.SECONDS);
        cluster.startTaskManager();
        cluster.startTaskManager();

        // As the runner does: once the learner has finished, stop with a savepoint.
        deadline = System.currentTimeMillis() + 180_000;
        while (!plan.signals().isFinished()) {
            assertThat(System.currentTimeMillis())
                    .as("the restored job finishes")
                    .isLessThan(deadline);
            assertThat(job.getJobStatus().get())
                    .isIn(JobStatus.RUNNING, JobStatus.RESTARTING, JobStatus.CREATED, JobStatus.INITIALIZING);
            Thread.sleep(50);
        }
        plan.signals().requestStop();
        for (int tries = 1; ; tries++) {
            try {
                job.stopWithSavepoint(
                                false, plan.paths().savepoints().toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(2, TimeUnit.MINUTES);
                break;
            } catch (ExecutionException e) {
                // Tasks of the restored attempt may still be deploying; the savepoint is refused until they run.
                System.out.println(
                        "stop with savepoint refused (" + e.getCause().getMessage() + "), retrying");
                assertThat(tries).as("stop attempts").isLessThan(20);
                Thread.sleep(500);
            }
        }
        job.getJobExecutionResult().get(1, TimeUnit.MINUTES);
        assertThat(plan.signals().fence())
                .get()
                .as("a restarted attempt fenced the store")
                .satisfies(f -> assertThat(f.attempt()).doesNotEndWith("-0"));
        RunInvariants.checkFresh(runDir, knobs);
    }
}
