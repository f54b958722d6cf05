package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.common.FailureInjection;
import io.rollstream.config.ConfigLoader;
import io.rollstream.config.RunConfig;
import io.rollstream.policy.PolicyStore;
import io.rollstream.report.RunRecords;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole local runs ({@code rollstream run}: SFT warm start, then the RL job) interrupted and
 * continued with {@code --resume-from RUN_DIR}: a stop during the warm start, a run whose RL job
 * died before its first checkpoint, and an automatic restart — each leaves the records of one
 * uninterrupted run, and the history of attempts in events.jsonl, run.log and the summary.
 */
@Tag("djl")
class RunResumeITCase {

    private static final int SFT_STEPS = 40;
    private static final int RL_STEPS = 6;

    @TempDir
    Path work;

    @AfterEach
    void noInjection() {
        System.clearProperty(FailureInjection.PROPERTY);
    }

    private static RunConfig config(String... more) {
        List<String> overrides = new ArrayList<>(List.of(
                "sft.steps=" + SFT_STEPS,
                "sft.checkpoint_every=10",
                "sft.eval_every=20",
                "job.max_steps=" + RL_STEPS,
                "job.max_minutes=5",
                "eval.every_steps=3",
                "eval.problems=10",
                "job.checkpoint_interval_s=1"));
        overrides.addAll(List.of(more));
        return ConfigLoader.load(Path.of("configs/ci/smoke.yaml"), overrides);
    }

    private record Run(PipelineRunner.Result result, String console) {}

    private static Run run(RunConfig config, Path dir, ResumePlan resume) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8)) {
            PipelineRunner.Result result = LocalRun.run(config, dir, resume, out);
            return new Run(result, console.toString(StandardCharsets.UTF_8));
        }
    }

    private static List<JsonNode> metrics(Path dir, String phase) throws Exception {
        return RunInvariants.lines(dir.resolve("metrics.jsonl")).stream()
                .filter(m -> phase.equals(m.path("phase").asText()))
                .toList();
    }

    private static List<String> events(Path dir) throws Exception {
        return new RunEvents(dir.resolve(RunEvents.FILE))
                .read().stream()
                        .map(e -> e.path("event").asText()
                                + (e.has("phase") ? ":" + e.path("phase").asText() : ""))
                        .toList();
    }

    @Test
    void aRunStoppedDuringItsWarmStartResumesItBitIdenticallyThenRunsRl() throws Exception {
        RunConfig config = config();
        Path reference = work.resolve("reference");
        Path sftOnly = SftRun.run(config, reference, false, new PrintStream(OutputStream.nullOutputStream()));

        Path dir = work.resolve("run");
        CompletableFuture<Optional<String>> stop = stopWarmStartAfter(dir, 15);
        Run first = run(config, dir, null);
        assertThat(first.result().status()).isEqualTo(JobStatus.SUSPENDED);
        assertThat(stop.get())
                .as("the stop saw the warm start save its state")
                .contains(first.result().savepoint());
        int stoppedAt = metrics(dir, "sft").size();
        assertThat(stoppedAt).isBetween(15, SFT_STEPS - 1);
        assertThat(first.console())
                .contains(
                        "stopped during the SFT warm start after step " + stoppedAt,
                        "restarts: 0",
                        "--resume-from " + dir);
        assertThat(RunControl.inWarmStart(dir)).isFalse();

        // A few lines more, as if the launcher had been killed after the save: the resume cuts them.
        Files.writeString(
                dir.resolve("metrics.jsonl"),
                "{\"phase\":\"sft\",\"step\":" + stoppedAt + "}\n{\"pha",
                StandardOpenOption.APPEND);
        ResumePlan resume = ResumePlan.resolve(dir.toString(), config);
        assertThat(resume.phase()).isEqualTo(ResumePlan.Phase.INITIAL);
        Run second = run(config, dir, resume);
        assertThat(second.result().status()).isEqualTo(JobStatus.FINISHED);
        assertThat(second.console()).contains("resuming the SFT warm start at step " + stoppedAt, "restarts: 0");
        assertThat(second.console())
                .as("a finished run points to its report and eval, not to a resume")
                .contains("next: jobs/rollstream report " + dir, "jobs/rollstream eval --policy " + dir)
                .doesNotContain("continue with: --resume-from");

        // The warm start as if uninterrupted: each step once, the same losses as the SFT-only run,
        // and bit-identical weights in policy version 0.
        List<JsonNode> sft = metrics(dir, "sft");
        List<JsonNode> expected = metrics(reference, "sft");
        assertThat(sft)
                .extracting(m -> m.path("step").asInt())
                .containsExactlyElementsOf(
                        expected.stream().map(m -> m.path("step").asInt()).toList());
        for (int i = 0; i < sft.size(); i++) {
            assertThat(sft.get(i).path("loss"))
                    .as("loss of step %d", i)
                    .isEqualTo(expected.get(i).path("loss"));
        }
        Checkpoint version0 = new PolicyStore(dir.resolve("policy").toString()).load(0);
        Checkpoint straight = CheckpointFormat.load(sftOnly);
        straight.weights()
                .toMap()
                .forEach((name, w) ->
                        assertThat(version0.weights().floats(name)).as(name).containsExactly(w));
        assertThat(metrics(dir, "rl")).extracting(m -> m.path("step").asInt()).containsExactly(0, 1, 2, 3, 4, 5);

        assertThat(events(dir)).containsExactly("start:sft", "stop:sft", "resume:sft", "start:rl", "stop:rl", "finish");
        String log = Files.readString(dir.resolve("run.log"));
        assertThat(log)
                .as("both attempts' console output")
                .contains(
                        "stopped during the SFT warm start",
                        "resuming the SFT warm start",
                        "rl   step    6/6",
                        "restarts: 0");

        // TensorBoard: one event file per attempt, every step of both phases, each RL step's time
        try (Stream<Path> files = Files.list(dir.resolve("tensorboard"))) {
            assertThat(files).hasSize(2);
        }
        TensorBoardLogTest.Read read = TensorBoardLogTest.read(dir.resolve("tensorboard"));
        if (read != null) {
            assertThat(read.code()).as(read.output()).isZero();
            JsonNode scalars = read.json().path("scalars");
            assertThat(scalars.path("rl/reward_mean"))
                    .extracting(p -> p.get(0).asInt())
                    .containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(scalars.path("rl/time_s")).hasSize(RL_STEPS);
            assertThat(scalars.path("sft/loss"))
                    .extracting(p -> p.get(0).asInt())
                    .contains(1, SFT_STEPS);
        }
    }

    @Test
    void anSftRunStoppedAndResumedWritesTheSameModelAsOneTrainedStraightThrough() throws Exception {
        RunConfig config = config();
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        Checkpoint straight = CheckpointFormat.load(SftRun.run(config, work.resolve("straight"), false, quiet));
        Path dir = work.resolve("stopped");
        CompletableFuture<Optional<String>> stop = stopWarmStartAfter(dir, 25);
        assertThat(SftRun.run(config, dir, false, quiet))
                .as("stopped: no model yet")
                .isNull();
        assertThat(stop.get()).isPresent();
        Checkpoint resumed = CheckpointFormat.load(SftRun.run(config, dir, true, quiet));
        straight.weights()
                .toMap()
                .forEach((name, w) ->
                        assertThat(resumed.weights().floats(name)).as(name).containsExactly(w));
        assertThat(metrics(dir, "sft"))
                .extracting(m -> m.path("step").asInt())
                .containsExactlyElementsOf(metrics(work.resolve("straight"), "sft").stream()
                        .map(m -> m.path("step").asInt())
                        .toList());
    }

    /** Stops the warm start of {@code dir} (as {@code rollstream stop} does) once it has logged {@code lines} steps. */
    private static CompletableFuture<Optional<String>> stopWarmStartAfter(Path dir, int lines) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                while (metricsLines(dir) < lines || !RunControl.inWarmStart(dir)) {
                    Thread.sleep(10);
                }
                return RunControl.stopWarmStart(dir, Duration.ofMinutes(1));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aRunWhoseRlJobDiedBeforeItsFirstCheckpointStartsRlOverWithoutDuplicateRecords() throws Exception {
        RunConfig config = config("sft.steps=20");
        Path dir = work.resolve("run");
        run(config, dir, null);
        int sftLines = metrics(dir, "sft").size();
        // As if the JVM had been killed during RL before any checkpoint completed: no checkpoint or
        // savepoint on disk, records and policy versions of the lost attempt left behind.
        deleteTree(dir.resolve("checkpoints"));
        deleteTree(dir.resolve("savepoints"));
        Files.delete(dir.resolve("final-model.rsckpt"));
        ResumePlan resume = ResumePlan.resolve(dir.toString(), config);
        assertThat(resume.phase()).isEqualTo(ResumePlan.Phase.RL_START);

        Run second = run(config, dir, resume);
        assertThat(second.result().status()).isEqualTo(JobStatus.FINISHED);
        assertThat(metrics(dir, "sft")).hasSize(sftLines);
        assertThat(metrics(dir, "rl")).extracting(m -> m.path("step").asInt()).containsExactly(0, 1, 2, 3, 4, 5);
        List<JsonNode> groups = RunInvariants.lines(dir.resolve("rollouts.jsonl"));
        assertThat(groups.stream()
                        .map(g -> g.path("group_id").asText())
                        .distinct()
                        .count())
                .as("no group twice")
                .isEqualTo(groups.size());
        assertThat(groups.stream()
                        .filter(g -> g.has("trained_step"))
                        .mapToInt(g -> g.path("rewards").size())
                        .sum())
                .isEqualTo(RL_STEPS * config.buffer().batchSize());
        assertThat(events(dir))
                .containsExactly(
                        "start:sft", "start:rl", "stop:rl", "finish", "resume:rl", "start:rl", "stop:rl", "finish");
    }

    @Test
    void anAutomaticRestartIsOnRecordInEventsRunLogAndSummary() throws Exception {
        System.setProperty(FailureInjection.PROPERTY, "learner@4");
        RunConfig config = config("sft.steps=20");
        Path dir = work.resolve("run");
        Run run = run(config, dir, null);
        run.console().lines().filter(l -> l.contains("restart")).forEach(System.out::println);
        assertThat(run.result().restarts()).isEqualTo(1);
        assertThat(run.console()).contains("restarts: 1 (causes in events.jsonl)");
        List<JsonNode> restarts = new RunEvents(dir.resolve(RunEvents.FILE))
                .read().stream()
                        .filter(e -> RunEvents.RESTART.equals(e.path("event").asText()))
                        .toList();
        assertThat(restarts).hasSize(1);
        assertThat(restarts.get(0).path("cause").asText()).contains("learner failed on purpose at step 4");
        JsonNode restart = restarts.get(0);
        assertThat(restart.path("step").asLong())
                .as("the restored learner step")
                .isBetween(0L, 4L);
        if (restart.has("restored_checkpoint")) {
            assertThat(restart.path("checkpoint_path").asText()).contains("chk-" + restart.path("restored_checkpoint"));
        } else {
            assertThat(restart.path("restored").asText()).contains("no checkpoint had completed");
        }
        String log = Files.readString(dir.resolve("run.log"));
        assertThat(log).as("the console line and Flink's own warning").contains("restart 1: ", "InjectedFailure");
        assertThat(metrics(dir, "rl")).extracting(m -> m.path("step").asInt()).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(RunRecords.read(dir).events()).hasSizeGreaterThan(1);
    }

    private static int metricsLines(Path dir) throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    }

    private static void deleteTree(Path dir) throws Exception {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
