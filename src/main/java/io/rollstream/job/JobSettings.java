package io.rollstream.job;

import org.apache.flink.configuration.Configuration;

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
    public static Configuration checkpointsAndRestarts(RunPaths paths, long checkpointIntervalMillis,
            String checkpointDir, int restartAttempts) {
        Configuration conf = new Configuration();
        conf.setString("execution.checkpointing.interval", checkpointIntervalMillis + " ms");
        conf.setString("execution.checkpointing.dir",
                checkpointDir != null ? checkpointDir : paths.checkpoints().toUri().toString());
        conf.setString("execution.checkpointing.savepoint-dir", paths.savepoints().toUri().toString());
        conf.setString("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        conf.setString("execution.checkpointing.timeout", "10 min");
        conf.setString("state.backend.type", "hashmap");
        // The rollout operator holds its input back until the admission gate opens (one learner step
        // at a time), and an aligned barrier waits behind every problem buffered in front of it. Buffer
        // debloating shrinks in-flight data to about a second of throughput, so checkpoints and the
        // savepoint of a stop pass within a few steps instead of after thousands of buffered problems.
        conf.setString("taskmanager.network.memory.buffer-debloat.enabled", "true");
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
        conf.setString("execution.checkpointing.unaligned.enabled", "true");
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", Integer.toString(restartAttempts));
        conf.setString("restart-strategy.fixed-delay.delay", "2 s");
        return conf;
    }
}
