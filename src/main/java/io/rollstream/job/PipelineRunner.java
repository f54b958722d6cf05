package io.rollstream.job;

import io.rollstream.common.Json;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the pipeline on a local mini-cluster: configures checkpointing (retained on cancel and
 * failure, under the run directory unless {@code job.checkpoint_dir} says otherwise) and a restart
 * strategy, submits the job, publishes its REST address in the run directory (for
 * {@code rollstream stop}), prints one progress line per learner step, and when the learner marks
 * the run finished (or the time limit is hit) stops the job with a savepoint, so every run can be
 * continued.
 */
public final class PipelineRunner {

    /**
     * @param webUi start Flink's web UI on localhost
     * @param webUiPort its port (0 = any free port)
     * @param slots task slots of the local task manager
     * @param checkpointIntervalMillis checkpoint interval
     * @param resumeFrom checkpoint or savepoint path to restore from, or null
     * @param maxMinutes stop after this long (0 = no limit)
     * @param checkpointDir Flink file-system URI for checkpoints, or null for the run directory's
     * @param restartAttempts restarts from the latest checkpoint before the job fails
     */
    public record Options(boolean webUi, int webUiPort, int slots, long checkpointIntervalMillis, String resumeFrom,
            double maxMinutes, String checkpointDir, int restartAttempts) {

        /** Checkpoints in the run directory, three restart attempts. */
        public Options(boolean webUi, int webUiPort, int slots, long checkpointIntervalMillis, String resumeFrom,
                double maxMinutes) {
            this(webUi, webUiPort, slots, checkpointIntervalMillis, resumeFrom, maxMinutes, null, 3);
        }
    }

    /** How a run ended. */
    public record Result(JobStatus status, String savepoint, List<JsonNode> metrics) {}

    private PipelineRunner() {}

    public static Result run(PipelinePlan plan, PipelineIo io, Options options, Consumer<String> progress)
            throws Exception {
        plan.store().clearStopRequest(); // left over if an earlier job died while stopping
        int restPort = options.webUi() && options.webUiPort() > 0 ? options.webUiPort() : freePort();
        StreamExecutionEnvironment env = environment(plan, options, restPort);
        RlPipelineJob.build(env, plan, io);
        JobClient job = env.executeAsync(plan.jobName());
        progress.accept("job " + job.getJobID() + " submitted" + (options.webUi() ? webUiHint(restPort) : ""));
        RunControl.publish(plan.paths().dir(), new RunControl.JobHandle(job.getJobID().toString(),
                "http://localhost:" + restPort, plan.paths().savepoints().toUri().toString(), plan.store().root()));
        try {
            return follow(plan, options, job, progress);
        } finally {
            RunControl.withdraw(plan.paths().dir());
            plan.store().clearStopRequest();
        }
    }

    private static Result follow(PipelinePlan plan, Options options, JobClient job, Consumer<String> progress)
            throws Exception {
        MetricsTail tail = new MetricsTail(plan.paths().metrics());
        ProgressLine line = new ProgressLine(plan.learner().maxSteps());
        long deadline = options.maxMinutes() > 0
                ? System.currentTimeMillis() + (long) (options.maxMinutes() * 60_000) : Long.MAX_VALUE;
        String savepoint = null;
        CompletableFuture<JobExecutionResult> end = job.getJobExecutionResult();
        while (!end.isDone()) {
            for (JsonNode m : tail.poll()) {
                progress.accept(line.format(m));
            }
            boolean finished = plan.store().isFinished();
            if (finished || System.currentTimeMillis() > deadline) {
                progress.accept(finished ? "learner finished: stopping with a savepoint"
                        : "time limit: stopping with a savepoint");
                plan.store().requestStop(); // see RunControl.stop
                try {
                    savepoint = job.stopWithSavepoint(false, plan.paths().savepoints().toUri().toString(),
                            SavepointFormatType.CANONICAL).get(5, TimeUnit.MINUTES);
                    break;
                } catch (ExecutionException refused) {
                    // A restart is under way (its tasks are not all running yet): the restored learner
                    // may have steps to redo, so look again once it runs.
                    plan.store().clearStopRequest();
                    progress.accept("stop refused while the job restarts (" + rootMessage(refused) + "); waiting");
                    Thread.sleep(1000);
                    continue;
                }
            }
            Thread.sleep(250);
        }
        JobStatus status;
        try {
            end.get(5, TimeUnit.MINUTES);
            status = JobStatus.FINISHED;
        } catch (ExecutionException e) {
            for (JsonNode m : tail.poll()) {
                progress.accept(line.format(m));
            }
            throw new IllegalStateException("the job failed: " + rootMessage(e), e);
        }
        for (JsonNode m : tail.poll()) {
            progress.accept(line.format(m));
        }
        return new Result(status, savepoint, tail.all());
    }

    static StreamExecutionEnvironment environment(PipelinePlan plan, Options options, int restPort) {
        Configuration conf = faultTolerance(plan, options);
        conf.setString("taskmanager.numberOfTaskSlots", Integer.toString(Math.max(1, options.slots())));
        // A fixed REST port (also without the web UI), so `rollstream stop` can reach the job.
        conf.setString("rest.port", Integer.toString(restPort));
        conf.setString("rest.bind-port", Integer.toString(restPort));
        conf.setString("rest.address", "localhost");
        conf.setString("rest.bind-address", "localhost");
        conf.setString("parallelism.default", "1");
        return options.webUi()
                ? StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf)
                : StreamExecutionEnvironment.createLocalEnvironment(conf);
    }

    /**
     * Checkpointing, retention and restarts, and the restore point: the part of the configuration
     * every run gets, in a mini-cluster of its own or in a test's.
     */
    public static Configuration faultTolerance(PipelinePlan plan, Options options) {
        Configuration conf = new Configuration();
        conf.setString("execution.checkpointing.interval", options.checkpointIntervalMillis() + " ms");
        conf.setString("execution.checkpointing.dir", options.checkpointDir() != null ? options.checkpointDir()
                : plan.paths().checkpoints().toUri().toString());
        conf.setString("execution.checkpointing.savepoint-dir", plan.paths().savepoints().toUri().toString());
        // Kept when the job is cancelled or fails (or its JVM is killed), so every run can resume.
        conf.setString("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        conf.setString("execution.checkpointing.timeout", "10 min");
        conf.setString("state.backend.type", "hashmap");
        // Aligned checkpoints only: an unaligned barrier is taken from the mailbox, possibly while the
        // rollout operator yields inside processElement, and the problem it holds would then be in
        // neither the channel state nor the operator state. (A stop parks what waits for the gate,
        // so its savepoint barrier is not held up; see RolloutOperator.)
        conf.setString("execution.checkpointing.unaligned.enabled", "false");
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", Integer.toString(options.restartAttempts()));
        conf.setString("restart-strategy.fixed-delay.delay", "2 s");
        if (options.resumeFrom() != null) {
            conf.setString("execution.state-recovery.path", options.resumeFrom());
        }
        return conf;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String webUiHint(int port) {
        return "; Flink web UI: http://localhost:" + port;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** Reads the lines appended to metrics.jsonl since the last poll. */
    static final class MetricsTail {
        private final Path file;
        private final List<JsonNode> all = new ArrayList<>();
        private int seen;

        MetricsTail(Path file) {
            this.file = file;
        }

        List<JsonNode> poll() throws IOException {
            if (!Files.exists(file)) {
                return List.of();
            }
            List<String> lines = Files.readAllLines(file);
            seen = Math.min(seen, lines.size()); // a restore cut the file back to its checkpoint
            List<JsonNode> fresh = new ArrayList<>();
            for (int i = seen; i < lines.size(); i++) {
                if (!lines.get(i).isBlank()) {
                    JsonNode node = Json.mapper().readTree(lines.get(i));
                    fresh.add(node);
                    all.add(node);
                }
            }
            seen = lines.size();
            return fresh;
        }

        List<JsonNode> all() {
            return all;
        }
    }

    /** One human line per metrics line: step, reward, held-out accuracy, staleness, throughput, ETA. */
    static final class ProgressLine {
        private final long maxSteps;
        private final long startMillis = System.currentTimeMillis();

        ProgressLine(long maxSteps) {
            this.maxSteps = maxSteps;
        }

        String format(JsonNode m) {
            String phase = m.path("phase").asText();
            long step = m.path("step").asLong();
            StringBuilder s = new StringBuilder();
            if ("sft".equals(phase)) {
                s.append(String.format("sft  step %4d | loss %.4f", step, m.path("loss").asDouble()));
            } else {
                double elapsed = (System.currentTimeMillis() - startMillis) / 1000.0;
                double eta = (step + 1) > 0 ? elapsed / (step + 1) * (maxSteps - step - 1) : 0;
                s.append(String.format("rl   step %4d/%d | reward %.3f | staleness %.2f | kept %d/%d groups"
                                + " | %,.0f rollout tok/s | step %.2fs | ETA %s",
                        step + 1, maxSteps, m.path("reward_mean").asDouble(), m.path("staleness_mean").asDouble(),
                        m.path("groups_trained").asLong(), m.path("problems_admitted").asLong(),
                        m.path("rollout_tokens_per_s").asDouble(), m.path("step_time_s").asDouble(),
                        Duration.ofSeconds((long) eta).toString().substring(2).toLowerCase()));
            }
            if (m.has("eval_accuracy")) {
                s.append(String.format(" | held-out accuracy %.1f%%", 100 * m.path("eval_accuracy").asDouble()));
            }
            return s.toString();
        }
    }
}
