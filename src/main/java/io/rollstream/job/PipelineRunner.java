package io.rollstream.job;

import io.rollstream.metrics.MetricReporters;
import io.rollstream.output.JsonLines;
import io.rollstream.types.StepMetrics;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;
import org.apache.flink.util.FileUtils;

/**
 * Runs the pipeline on a local mini-cluster: configures checkpointing (retained on cancel and
 * failure, under the run directory unless {@code job.checkpoint_dir} says otherwise) and a restart
 * strategy, submits the job, publishes its REST address in the run directory (for
 * {@code rollstream stop}), shows the learner's steps ({@link ConsoleProgress}), and when the learner marks
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
     * @param prometheusPort port of Flink's Prometheus metric reporter (0 = off)
     * @param checkpointDir Flink file-system URI for checkpoints, or null for the run directory's
     * @param restartAttempts restarts from the latest checkpoint before the job fails
     */
    public record Settings(
            boolean webUi,
            int webUiPort,
            int slots,
            long checkpointIntervalMillis,
            String resumeFrom,
            double maxMinutes,
            int prometheusPort,
            String checkpointDir,
            int restartAttempts) {

        /** Checkpoints in the run directory, three restart attempts, no Prometheus reporter. */
        public static Settings inRunDirectory(
                boolean webUi,
                int webUiPort,
                int slots,
                long checkpointIntervalMillis,
                String resumeFrom,
                double maxMinutes) {
            return new Settings(
                    webUi,
                    webUiPort,
                    slots,
                    checkpointIntervalMillis,
                    resumeFrom,
                    maxMinutes,
                    0,
                    null,
                    JobSettings.RESTART_ATTEMPTS);
        }

        /** The same options with Flink's Prometheus reporter on {@code port} (0 = off). */
        public Settings withPrometheus(int port) {
            return new Settings(
                    webUi,
                    webUiPort,
                    slots,
                    checkpointIntervalMillis,
                    resumeFrom,
                    maxMinutes,
                    port,
                    checkpointDir,
                    restartAttempts);
        }
    }

    /**
     * How a run ended.
     *
     * @param status FINISHED when the job ended (by itself or stopped with {@code savepoint});
     *     SUSPENDED when a stop came during the SFT warm start, before any job
     * @param savepoint the savepoint (or the SFT state) the run can be continued from, or null
     * @param metrics the metrics lines the job wrote
     * @param restarts automatic restarts the run has on record ({@code events.jsonl}), earlier jobs' included
     */
    public record Result(JobStatus status, String savepoint, List<StepMetrics> metrics, long restarts) {}

    /** Flink refused to start the job (e.g. a resume point whose state does not fit it): nothing ran. */
    public static final class NotStarted extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        NotStarted(Throwable cause) {
            super(rootMessage(cause), cause);
        }
    }

    private PipelineRunner() {}

    /** Runs the job printing a line for every learner step. */
    public static Result run(PipelinePlan plan, PipelineIo io, Settings options, Consumer<String> progress)
            throws Exception {
        return run(
                plan,
                io,
                options,
                ConsoleProgress.everyStep(progress, plan.learner().maxSteps(), options.maxMinutes()));
    }

    /** Runs the job; {@code progress} gets its messages and its learner steps. */
    public static Result run(PipelinePlan plan, PipelineIo io, Settings options, ConsoleProgress progress)
            throws Exception {
        plan.signals().clearStopRequest(); // left over if an earlier job died while stopping
        FileUtils.deleteDirectory(plan.paths().tmp().toFile()); // left over if an earlier run was killed
        boolean fixedPort = options.webUi() && options.webUiPort() > 0;
        int restPort;
        JobClient job;
        for (int attempt = 1; ; attempt++) {
            restPort = fixedPort ? options.webUiPort() : freePort();
            StreamExecutionEnvironment env = environment(plan, options, restPort);
            RlPipelineJob.build(env, plan, io);
            try {
                job = env.executeAsync(plan.jobName());
                break;
            } catch (Exception refused) {
                // A port found free can be taken by another process before the mini-cluster binds it: try another.
                if (!fixedPort
                        && attempt < PORT_ATTEMPTS
                        && ExceptionUtils.findThrowable(refused, BindException.class)
                                .isPresent()) {
                    progress.accept("REST port " + restPort + " was taken meanwhile; trying another");
                    continue;
                }
                removeTemporaryFiles(plan, progress);
                throw new NotStarted(refused);
            }
        }
        try {
            progress.accept("job " + job.getJobID() + " submitted" + (options.webUi() ? webUiHint(restPort) : "")
                    + (options.prometheusPort() > 0
                            ? "; Prometheus metrics: http://localhost:" + options.prometheusPort() + "/metrics"
                            : ""));
            String restUrl = "http://" + LocalClusterSettings.LOOPBACK + ":" + restPort;
            RunControl.publish(
                    plan.paths().dir(),
                    new RunControl.JobHandle(
                            job.getJobID().toString(),
                            restUrl,
                            plan.paths().savepoints().toUri().toString(),
                            plan.store().root(),
                            false));
            RunEvents events = RunEvents.of(plan.paths());
            RestartWatcher restarts =
                    new RestartWatcher(restUrl, job.getJobID().toString(), plan.signals(), events, progress);
            if (options.resumeFrom() != null) {
                restarts.expectResume(RunEvents.fields(
                        "phase",
                        "rl",
                        "job",
                        job.getJobID().toString(),
                        "from",
                        options.resumeFrom(),
                        "after",
                        events.endOfPreviousAttempt()));
            } else {
                events.append(
                        RunEvents.START,
                        RunEvents.fields("phase", "rl", "job", job.getJobID().toString()));
            }
            return follow(plan, options, job, progress, restarts);
        } finally {
            RunControl.withdraw(plan.paths().dir());
            plan.signals().clearStopRequest();
            removeTemporaryFiles(plan, progress); // the mini-cluster has shut down with the job
        }
    }

    /** Deletes the run's {@code tmp/}; a failure is reported, never hides how the run ended. */
    private static void removeTemporaryFiles(PipelinePlan plan, Consumer<String> progress) {
        try {
            FileUtils.deleteDirectory(plan.paths().tmp().toFile());
        } catch (IOException e) {
            progress.accept("could not remove the run's temporary files in "
                    + plan.paths().tmp() + ": " + e);
        }
    }

    private static Result follow(
            PipelinePlan plan, Settings options, JobClient job, ConsoleProgress progress, RestartWatcher restarts)
            throws Exception {
        RunEvents events = RunEvents.of(plan.paths());
        MetricsTail tail = MetricsTail.fromEnd(plan.paths().metrics()); // the warm start printed its own lines
        long deadline = options.maxMinutes() > 0
                ? System.currentTimeMillis() + (long) (options.maxMinutes() * 60_000)
                : Long.MAX_VALUE;
        String savepoint = null;
        CompletableFuture<JobExecutionResult> end = job.getJobExecutionResult();
        while (!end.isDone()) {
            for (StepMetrics m : tail.poll()) {
                progress.step(m);
            }
            restarts.poll();
            boolean finished = plan.signals().isFinished();
            if (finished || System.currentTimeMillis() > deadline) {
                progress.accept(
                        finished
                                ? "learner finished: stopping with a savepoint"
                                : "time limit: stopping with a savepoint");
                // A job whose bounded input is all consumed (a fixed problem set read for its epochs)
                // ends on its own right after the last step; racing a savepoint against that end fails
                // or hangs it, so such a job gets a few seconds to finish (nothing is left to resume).
                if (finished && endsNormallyWithin(end, NATURAL_END_GRACE_MILLIS)) {
                    progress.accept("the job consumed its bounded input and finished on its own; no savepoint needed");
                    break;
                }
                plan.signals().requestStop(); // see RunControl.stop
                try {
                    savepoint = job.stopWithSavepoint(
                                    false, plan.paths().savepoints().toUri().toString(), SavepointFormatType.CANONICAL)
                            .get(5, TimeUnit.MINUTES);
                    events.append(
                            RunEvents.STOP,
                            RunEvents.fields(
                                    "phase",
                                    "rl",
                                    "reason",
                                    finished ? "the learner finished" : "time limit (job.max_minutes)",
                                    "savepoint",
                                    savepoint));
                    break;
                } catch (ExecutionException | TimeoutException refused) {
                    if (endsNormallyWithin(end, 30_000)) {
                        progress.accept("the job finished on its own while stopping; no savepoint ("
                                + rootMessage(refused) + ")");
                        break;
                    }
                    if (refused instanceof TimeoutException) {
                        throw refused;
                    }
                    // A restart is under way (its tasks are not all running yet): the restored learner
                    // may have steps to redo, so look again once it runs.
                    plan.signals().clearStopRequest();
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
            for (StepMetrics m : tail.poll()) {
                progress.step(m);
            }
            restarts.ended(true);
            events.append(RunEvents.FAILED, RunEvents.fields("phase", "rl", "cause", rootMessage(e)));
            throw new IllegalStateException("the job failed: " + rootMessage(e), e);
        }
        restarts.ended(false);
        for (StepMetrics m : tail.poll()) {
            progress.step(m);
        }
        return new Result(status, savepoint, tail.all(), restarts.restarts());
    }

    static StreamExecutionEnvironment environment(PipelinePlan plan, Settings options, int restPort) {
        Configuration conf = faultTolerance(plan, options);
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, Math.max(1, options.slots()));
        // A fixed REST port (also without the web UI), so `rollstream stop` can reach the job; every
        // listener on loopback, no code accepted, temporary files in the run directory.
        LocalClusterSettings.loopbackOnly(conf, restPort);
        LocalClusterSettings.temporaryFilesUnder(conf, plan.paths().tmp());
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 1);
        // The web UI's metric values refresh every second instead of every 10 s: local steps are short.
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(1));
        // The job's exceptions and checkpoint statistics as the restart watcher reads them are at
        // most half a second old (3 s by default): a restart is seen before a short job ends.
        conf.set(RestOptions.CACHE_EXECUTION_GRAPH_TIMEOUT, Duration.ofMillis(500));
        conf.set(RestOptions.CACHE_CHECKPOINT_STATISTICS_TIMEOUT, Duration.ofMillis(500));
        MetricReporters.addPrometheus(conf, options.prometheusPort());
        return options.webUi()
                ? StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf)
                : StreamExecutionEnvironment.createLocalEnvironment(conf);
    }

    /** Ports tried for the REST endpoint when the run picks it. */
    static final int PORT_ATTEMPTS = 3;

    /** How long a job whose learner finished may take to end on its own before it is stopped. */
    static final long NATURAL_END_GRACE_MILLIS = 3_000;

    private static boolean endsNormallyWithin(CompletableFuture<JobExecutionResult> end, long millis) {
        try {
            end.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Checkpointing, retention and restarts, and the restore point: the part of the configuration
     * every run gets, in a mini-cluster of its own or in a test's ({@link JobSettings} plus the
     * resume point).
     */
    public static Configuration faultTolerance(PipelinePlan plan, Settings options) {
        Configuration conf = JobSettings.checkpointsAndRestarts(
                plan.paths(), options.checkpointIntervalMillis(), options.checkpointDir(), options.restartAttempts());
        if (options.resumeFrom() != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, options.resumeFrom());
        }
        return conf;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LocalClusterSettings.LOOPBACK))) {
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

    /** The lines appended to metrics.jsonl since the last poll, and all of them so far. */
    static final class MetricsTail {
        private final JsonLines.Tail tail;
        private final List<StepMetrics> all = new ArrayList<>();

        private MetricsTail(JsonLines.Tail tail) {
            this.tail = tail;
        }

        /** A tail that reports only lines appended from now on. */
        static MetricsTail fromEnd(Path file) throws IOException {
            return new MetricsTail(JsonLines.Tail.fromEnd(file));
        }

        List<StepMetrics> poll() throws IOException {
            List<StepMetrics> fresh = tail.poll(StepMetrics.class);
            all.addAll(fresh);
            return fresh;
        }

        List<StepMetrics> all() {
            return all;
        }
    }
}
