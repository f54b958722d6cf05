package io.rollstream.job;

import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;

/**
 * The per-job Flink settings every run needs, on a local mini-cluster and on a session cluster
 * alike: checkpoints retained under the run directory (so any run can be continued), a savepoint
 * directory for stop-with-savepoint, the heap state backend, buffer debloating and a restart
 * strategy that recovers from a lost task manager.
 */
public final class JobSettings {

    /** Default restarts of a failed job ({@code job.restart_attempts}; a killed task manager costs one). */
    static final int RESTART_ATTEMPTS = 3;

    private JobSettings() {}

    /**
     * @param checkpointDir a Flink file-system URI for checkpoints ({@code job.checkpoint_dir}), or null
     *     for the run directory's {@code checkpoints/}
     * @param restartAttempts restarts from the latest checkpoint before the job fails
     */
    public static Configuration checkpointsAndRestarts(
            RunPaths paths, long checkpointIntervalMillis, String checkpointDir, int restartAttempts) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(checkpointIntervalMillis));
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                checkpointDir != null
                        ? checkpointDir
                        : paths.checkpoints().toUri().toString());
        conf.set(
                CheckpointingOptions.SAVEPOINT_DIRECTORY,
                paths.savepoints().toUri().toString());
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, Duration.ofMinutes(10));
        conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        // The rollout operator holds its input back until the admission gate opens (one learner step
        // at a time), and an aligned barrier waits behind every problem buffered in front of it. Buffer
        // debloating shrinks in-flight data to about a second of throughput, so checkpoints and the
        // savepoint of a stop pass within a few steps instead of after thousands of buffered problems.
        conf.set(TaskManagerOptions.BUFFER_DEBLOAT_ENABLED, true);
        // Unaligned checkpoints: the admission gate makes this job a feedback loop (the rollout
        // operator holds its input back until the learner publishes the next version), and an aligned
        // barrier deadlocks it. With two or more generators, batch assembly would block the channel of
        // a generator whose barrier came first while another generator waits for the gate, and the
        // learner would starve of the groups that open it. An unaligned barrier overtakes the buffered
        // groups and problems, which become part of the checkpoint. A generator waiting inside
        // processElement takes its barrier only after it returns (the barrier's mail has the task's
        // lowest priority and does not run while an operator yields), so the problem it holds is in
        // its operator state by then. Savepoints are always aligned: a stop parks what waits for the
        // gate, so its barrier is not held up (see RolloutOperator).
        conf.set(CheckpointingOptions.ENABLE_UNALIGNED, true);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, restartAttempts);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
        return conf;
    }
}
