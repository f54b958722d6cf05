package io.rollstream.job;

import org.apache.flink.configuration.Configuration;

/**
 * The per-job Flink settings every run needs, on a local mini-cluster and on a session cluster
 * alike: checkpoints retained under the run directory (so any run can be continued), a savepoint
 * directory for stop-with-savepoint, the heap state backend, buffer debloating and a restart
 * strategy that recovers from a lost task manager.
 */
public final class JobSettings {

    /** Restarts a failed job this many times (a killed task manager costs one). */
    static final int RESTART_ATTEMPTS = 3;

    private JobSettings() {}

    public static Configuration checkpointsAndRestarts(RunPaths paths, long checkpointIntervalMillis) {
        Configuration conf = new Configuration();
        conf.setString("execution.checkpointing.interval", checkpointIntervalMillis + " ms");
        conf.setString("execution.checkpointing.dir", paths.checkpoints().toUri().toString());
        conf.setString("execution.checkpointing.savepoint-dir", paths.savepoints().toUri().toString());
        conf.setString("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        conf.setString("execution.checkpointing.timeout", "10 min");
        conf.setString("state.backend.type", "hashmap");
        // The rollout operator holds its input back until the admission gate opens (one learner step
        // at a time), and an aligned barrier waits behind every problem buffered in front of it. Buffer
        // debloating shrinks in-flight data to about a second of throughput, so checkpoints and the
        // savepoint of a stop pass within a few steps instead of after thousands of buffered problems.
        conf.setString("taskmanager.network.memory.buffer-debloat.enabled", "true");
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", Integer.toString(RESTART_ATTEMPTS));
        conf.setString("restart-strategy.fixed-delay.delay", "2 s");
        return conf;
    }
}
