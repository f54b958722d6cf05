package io.rollstream.config;

/**
 * The {@code job} section: the Flink job as a whole and when it stops.
 *
 * @param name job name, shown in the Flink web UI and naming the default run directory
 *     {@code runs/<name>-<timestamp>}: no {@code /}, {@code \}, {@code ..} or control characters;
 *     default {@code "rollstream"}
 * @param seed root of every random choice (problem order, sampling, initialization); default 0
 * @param maxSteps RL learner steps after which the job ends, at least 1; default 100
 * @param maxMinutes wall-clock limit in minutes, 0 for no limit, at least 0; default 0
 * @param webUi whether to serve Flink's web UI; default true
 * @param webUiPort port of the web UI, in [0, 65535] (0 picks a free port); default 8081
 * @param checkpointIntervalS seconds between Flink checkpoints, at least 1; default 30
 * @param prometheusPort port where Flink's Prometheus reporter serves every metric
 *     ({@code http://localhost:<port>/metrics}), in [0, 65535], 0 = reporter off; default 0
 * @param checkpointDir where Flink keeps checkpoints, any Flink file system URI ({@code file:///…},
 *     {@code s3://…}, {@code hdfs://…}); null for {@code <run_dir>/checkpoints}; default null
 * @param restartAttempts restarts from the latest checkpoint after a failure before the job fails,
 *     at least 0; default 3
 * @param stateInlineMaxMb the learner's state (weights and optimizer) up to this size lives in Flink
 *     state; a larger one goes to a file beside the policy store referenced from it, at least 0; default 64
 * @param logEvery learner steps per console progress line (averages over those steps), at least 1;
 *     default 10
 */
public record JobSection(
        String name,
        long seed,
        int maxSteps,
        int maxMinutes,
        boolean webUi,
        int webUiPort,
        int checkpointIntervalS,
        int prometheusPort,
        String checkpointDir,
        int restartAttempts,
        int stateInlineMaxMb,
        int logEvery) {

    /** Console progress lines every this many learner steps unless {@code job.log_every} says otherwise. */
    public static final int DEFAULT_LOG_EVERY = 10;

    /** Every key at its default. */
    public static JobSection defaults() {
        return new JobSection("rollstream", 0, 100, 0, true, 8081, 30, 0, null, 3, 64, DEFAULT_LOG_EVERY);
    }

    /** With the Prometheus reporter off, the default checkpoint directory and restart attempts. */
    public JobSection(
            String name,
            long seed,
            int maxSteps,
            int maxMinutes,
            boolean webUi,
            int webUiPort,
            int checkpointIntervalS) {
        this(
                name,
                seed,
                maxSteps,
                maxMinutes,
                webUi,
                webUiPort,
                checkpointIntervalS,
                0,
                null,
                3,
                64,
                DEFAULT_LOG_EVERY);
    }

    public JobSection {
        ConfigErrors e = new ConfigErrors();
        e.check(name != null && !name.isBlank(), "job.name", name, "must not be empty");
        e.check(
                name == null || isPlainName(name),
                "job.name",
                name,
                "must not contain '/', '\\', '..' or control"
                        + " characters: it names the run directory runs/<job.name>-<timestamp>; try a name such as my-run");
        e.check(maxSteps >= 1, "job.max_steps", maxSteps, "must be >= 1 (learner steps before the job ends)");
        e.check(maxMinutes >= 0, "job.max_minutes", maxMinutes, "must be >= 0 (0 = no time limit)");
        e.check(
                webUiPort >= 0 && webUiPort <= 65535,
                "job.web_ui_port",
                webUiPort,
                "must be a port in [0, 65535]: try 8081");
        e.check(checkpointIntervalS >= 1, "job.checkpoint_interval_s", checkpointIntervalS, "must be >= 1: try 30");
        e.check(
                prometheusPort >= 0 && prometheusPort <= 65535,
                "job.prometheus_port",
                prometheusPort,
                "must be a port in [0, 65535] (0 = off): try 9249");
        e.check(
                checkpointDir == null || !checkpointDir.isBlank(),
                "job.checkpoint_dir",
                checkpointDir,
                "must be a directory URI such as file:///data/ckpt or s3://bucket/ckpt, or null for <run_dir>/checkpoints");
        e.check(
                restartAttempts >= 0,
                "job.restart_attempts",
                restartAttempts,
                "must be >= 0 (restarts from the latest checkpoint before the job fails): try 3");
        e.check(
                stateInlineMaxMb >= 0,
                "job.state_inline_max_mb",
                stateInlineMaxMb,
                "must be >= 0 (0 = always in a file): try 64");
        e.check(
                logEvery >= 1,
                "job.log_every",
                logEvery,
                "must be >= 1 (learner steps per console progress line): try " + DEFAULT_LOG_EVERY);
        e.throwIfAny();
    }

    /** A name that stays one directory level: no separators, no {@code ..}, no control characters. */
    private static boolean isPlainName(String name) {
        return !name.contains("/")
                && !name.contains("\\")
                && !name.contains("..")
                && name.chars().noneMatch(Character::isISOControl);
    }
}
