package io.rollstream.job;

import io.rollstream.config.ConfigLoader;
import io.rollstream.config.InvalidConfigException;
import io.rollstream.config.RunConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The job jar's entry point on a Flink cluster ({@code flink run}, the REST API's
 * {@code /jars/:id/run}, or {@code jobs/submit.sh}). Program arguments:
 * {@code --config PATH [--set key=value ...] [--run-dir DIR] [--rest-url URL]}.
 *
 * <p>It does what {@code rollstream run} does before its job starts — the run directory and the
 * initial policy are prepared by {@link LocalRun#prepare} — then builds {@link RlPipelineJob} on
 * the cluster's execution environment with the run's checkpoint and restart settings, and submits
 * it. A resume is a submission with a savepoint or retained checkpoint (REST {@code savepointPath},
 * {@code flink run -s}); the job then continues the run directory's policy store instead of
 * refusing it. Where {@code main} runs (the job manager for REST submissions, the client for
 * {@code flink run}) needs the run directory and policy store on a path the task managers share.
 *
 * <p>With {@code --rest-url} (the address clients reach the cluster's REST API at; {@code
 * jobs/submit.sh} passes its own) it writes the run directory's {@code job.json}, so
 * {@code rollstream stop RUN_DIR} stops the cluster job as it stops a local one.
 */
@Command(name = "ClusterJob", description = "Submits the Rollstream pipeline to the Flink cluster it runs in.")
public final class ClusterJob {

    @Option(
            names = "--config",
            required = true,
            description = "YAML config on any Flink file system (file:///..., s3://..., hdfs://...)")
    String config;

    @Option(names = "--set", description = "override a config key, e.g. --set job.max_steps=50 (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(
            names = "--run-dir",
            description = "run directory, shared by the job manager and the task managers"
                    + " (default: runs/<job.name>-<timestamp> under the working directory of main())")
    java.nio.file.Path runDir;

    @Option(
            names = "--rest-url",
            description = "the cluster's REST API as clients reach it, e.g."
                    + " http://jobmanager:8081: written to <run-dir>/job.json for `rollstream stop RUN_DIR`")
    String restUrl;

    private ClusterJob() {}

    public static void main(String[] args) throws Exception {
        ClusterJob job = new ClusterJob();
        try {
            new CommandLine(job).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(
                    e.getMessage() + "; program arguments are --config PATH"
                            + " [--set key=value ...] [--run-dir DIR] [--rest-url URL]",
                    e);
        }
        job.submit(System.out);
    }

    private void submit(PrintStream out) throws Exception {
        RunConfig resolved = readConfig(config, overrides);
        java.nio.file.Path dir = runDir != null
                ? runDir
                : java.nio.file.Path.of(
                        "runs",
                        resolved.job().name() + "-"
                                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        String resumeFrom = env.getConfiguration().get(StateRecoveryOptions.SAVEPOINT_PATH);
        LocalRun.Prepared prepared = LocalRun.prepare(resolved, dir, resumeFrom, out, PreFlight.Mode.CLUSTER_RUN);
        PipelinePlan plan = PlanFactory.plan(
                        resolved, prepared.paths(), prepared.model().contextLength())
                .withSlotResources(resolved.slots());
        env.configure(JobSettings.checkpointsAndRestarts(
                prepared.paths(),
                resolved.job().checkpointIntervalS() * 1000L,
                resolved.job().checkpointDir(),
                resolved.job().restartAttempts()));
        RlPipelineJob.build(env, plan, PlanFactory.io(resolved, plan));
        plan.signals().clearStopRequest(); // left by the stop this job may resume from
        out.println("submitting " + plan.jobName() + "; run directory "
                + prepared.paths().dir());
        JobClient job;
        try {
            job = env.executeAsync(plan.jobName());
        } catch (Exception refused) {
            throw prepared.notStarted(new PipelineRunner.NotStarted(refused));
        }
        out.println("job " + job.getJobID() + " submitted");
        if (restUrl != null) {
            RunControl.publish(
                    prepared.paths().dir(),
                    new RunControl.JobHandle(
                            job.getJobID().toString(),
                            restUrl.replaceAll("/+$", ""),
                            prepared.paths().savepoints().toUri().toString(),
                            plan.store().root(),
                            true));
        }
    }

    /** The validated config from any Flink file system; every problem is reported in one exception. */
    static RunConfig readConfig(String location, List<String> overrides) throws IOException {
        Path path = new Path(location);
        String text;
        try (FSDataInputStream in = path.getFileSystem().open(path)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IOException("--config " + location + " cannot be read: " + e.getMessage(), e);
        }
        try {
            return ConfigLoader.parse(text, overrides, "configuration file " + location);
        } catch (InvalidConfigException e) {
            throw new IllegalArgumentException(
                    "invalid config " + location + ":\n  " + String.join("\n  ", e.errors()), e);
        }
    }
}
