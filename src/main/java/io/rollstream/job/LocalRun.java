package io.rollstream.job;

import ai.djl.Device;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.checkpoint.Checkpoints;
import io.rollstream.common.Json;
import io.rollstream.config.ConfigWriter;
import io.rollstream.config.DataSection;
import io.rollstream.config.RunConfig;
import io.rollstream.eval.EvalSpec;
import io.rollstream.eval.GreedyEvaluator;
import io.rollstream.model.GptModel;
import io.rollstream.model.ModelConfig;
import io.rollstream.policy.PolicyManifest;
import io.rollstream.policy.PolicyStore;
import io.rollstream.tasks.Task;
import io.rollstream.tasks.Tasks;
import io.rollstream.tokenizer.PromptCodec;
import io.rollstream.tokenizer.Tokenizer;
import io.rollstream.tokenizer.Tokenizers;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.flink.api.common.JobStatus;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code rollstream run}: prepares the run directory (resolved config, initial policy — fresh,
 * from {@code model.init}, and warm-started with SFT when configured), runs the job on a local
 * mini-cluster, saves the final model and prints a summary. Everything it prints also goes to the
 * run's {@code run.log} ({@link RunLog}), and what happens to the run — starts, restarts, stops,
 * resumes — to its {@code events.jsonl} ({@link RunEvents}).
 */
public final class LocalRun {

    /** SFT steps between progress lines. */
    private static final int SFT_PRINT_EVERY = 50;

    private LocalRun() {}

    /**
     * @param resume what the run continues ({@code --resume-from}), or null for a new run
     * @return how the run ended; status SUSPENDED when {@code rollstream stop} came during the warm start
     */
    public static PipelineRunner.Result run(RunConfig config, Path runDir, ResumePlan resume, PrintStream console)
            throws Exception {
        long start = System.currentTimeMillis();
        RunPaths paths = openDirectory(config, runDir);
        try (RunLog log = RunLog.open(paths.runLog(), console)) {
            PrintStream out = log.out();
            Prepared prepared;
            try {
                prepared = preparePolicy(config, paths, resume, out);
            } catch (WarmStart.Stopped stopped) {
                return stoppedDuringWarmStart(config, paths, stopped, out);
            }
            return runJob(config, prepared, resume, start, out);
        }
    }

    private static PipelineRunner.Result runJob(RunConfig config, Prepared prepared, ResumePlan resume, long start,
            PrintStream out) throws Exception {
        RunPaths paths = prepared.paths();
        PolicyStore store = prepared.store();
        PipelinePlan plan = PlanFactory.plan(config, paths, prepared.model().contextLength());
        String restorePath = resume != null && resume.phase() == ResumePlan.Phase.RESTORE ? resume.restorePath() : null;
        PipelineRunner.Options options = new PipelineRunner.Options(config.job().webUi(), config.job().webUiPort(),
                plan.slots(), config.job().checkpointIntervalS() * 1000L, restorePath,
                config.job().maxMinutes(), config.job().prometheusPort(), config.job().checkpointDir(),
                config.job().restartAttempts());
        PipelineRunner.Result result = PipelineRunner.run(plan, PlanFactory.io(config, plan), options, out::println);
        boolean learnerFinished = store.isFinished();
        Optional<PolicyManifest> last = store.latest();
        FinalEval finalEval = null;
        if (last.isPresent()) {
            Checkpoint finalPolicy = store.load(last.get().version());
            CheckpointFormat.save(finalPolicy, paths.finalModel());
            finalEval = evaluate(PlanFactory.eval(config), finalPolicy, new PromptCodec(prepared.tokenizer()));
        }
        if (learnerFinished) {
            RunEvents.of(paths).append(RunEvents.FINISH, RunEvents.fields("steps", config.job().maxSteps(),
                    "final_model", paths.finalModel().toString(), "restarts", result.restarts()));
        }
        summarize(paths, result, finalEval, (System.currentTimeMillis() - start) / 1000.0, out);
        return result;
    }

    /**
     * A run directory ready for the job: the resolved config written, and the policy store holding
     * an initial policy (or, when resuming, the store of the run being continued).
     */
    public record Prepared(RunPaths paths, PolicyStore store, Tokenizer tokenizer, ModelConfig model) {}

    /**
     * Prepares {@code runDir} for a local or a cluster run: writes the resolved config and, unless
     * resuming, publishes version 0 ({@link #initialPolicy}). A run directory that already holds
     * a policy is refused unless the run resumes from {@code resumeFrom} (a checkpoint or savepoint).
     */
    public static Prepared prepare(RunConfig config, Path runDir, String resumeFrom, PrintStream out)
            throws Exception {
        return preparePolicy(config, openDirectory(config, runDir), resumeFrom == null ? null
                : ResumePlan.restore(resumeFrom), out);
    }

    /** Creates the run directory and writes the resolved config into it. */
    private static RunPaths openDirectory(RunConfig config, Path runDir) throws IOException {
        RunPaths paths = RunPaths.under(runDir, config.policyStore().path());
        Files.createDirectories(paths.dir());
        ConfigWriter.write(config, paths.config());
        return paths;
    }

    /**
     * The policy store ready for the job: version 0 published for a new run (or a resume that had
     * not got that far: the warm start continues from its saved state); for a resume of the RL job
     * from its beginning, the record files cut back to the end of the warm start.
     */
    private static Prepared preparePolicy(RunConfig config, RunPaths paths, ResumePlan resume, PrintStream out)
            throws Exception {
        Tokenizer tokenizer = Tokenizers.create(PlanFactory.tokenizer(config));
        ModelConfig model = config.model().toModelConfig(tokenizer.vocabSize());
        PolicyStore store = new PolicyStore(paths.policyStore());
        if (resume != null && resume.phase() != ResumePlan.Phase.INITIAL) {
            store.clearFinished();
            out.println("resuming from " + resume.describe());
            if (resume.phase() == ResumePlan.Phase.RL_START) {
                startRlOver(config, paths);
            }
        } else if (resume != null || store.latest().isEmpty()) {
            out.println("initial policy: " + model.parameterCount() + " parameters"
                    + (config.sft().steps() > 0 ? ", SFT warm start for " + config.sft().steps() + " steps" : ""));
            store.publish(initialPolicy(config, model, new PromptCodec(tokenizer), paths, resume != null, out),
                    "initial");
        } else {
            throw new IllegalArgumentException("run directory " + paths.dir() + " already holds a policy store;"
                    + " continue it with --resume-from " + paths.dir() + ", or choose another --run-dir");
        }
        return new Prepared(paths, store, tokenizer, model);
    }

    /**
     * The RL job starts over (no checkpoint of it had completed): the lines its killed attempt wrote
     * are cut from the record files — metrics.jsonl back to the end of the warm start — so the
     * run's records stay those of one uninterrupted run. (Its policy versions go when the new
     * learner fences the store at step 0.)
     */
    private static void startRlOver(RunConfig config, RunPaths paths) throws IOException {
        RunEvents events = RunEvents.of(paths);
        String after = events.endOfPreviousAttempt();
        long sftEnd = config.sft().steps() > 0
                ? new SftState(paths, SftState.settingsOf(config)).load().map(SftState::metricsBytes).orElse(0L) : 0L;
        cutBack(paths.metrics(), sftEnd);
        cutBack(paths.rollouts(), 0);
        cutBack(paths.invalidRecords(), 0);
        events.append(RunEvents.RESUME, RunEvents.fields("phase", "rl", "from", "the start of RL", "step", 0,
                "after", after));
    }

    /** Truncates {@code file} to {@code length} bytes when it is longer. */
    static void cutBack(Path file, long length) throws IOException {
        if (Files.exists(file) && Files.size(file) > length) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(length);
            }
        }
    }

    /**
     * Version 0: {@code model.init} or fresh weights, warm-started with SFT when {@code sft.steps > 0}.
     * The warm start saves its state in the run directory ({@link SftState}) every
     * {@code sft.checkpoint_every} steps, at its end and on a stop.
     *
     * @param continueSaved continue the warm start from its saved state (a resume): metrics.jsonl is
     *     cut back to where it was when that state was saved, or emptied when none was saved
     * @throws WarmStart.Stopped when {@code rollstream stop} came during the warm start (its state is saved)
     */
    static Checkpoint initialPolicy(RunConfig config, ModelConfig model, PromptCodec codec, RunPaths paths,
            boolean continueSaved, PrintStream out) throws Exception {
        if (config.model().init() != null) {
            Checkpoint init = CheckpointFormat.load(Path.of(config.model().init()));
            if (!init.model().equals(model)) {
                throw new IllegalArgumentException("model.init " + config.model().init() + " holds a model of shape "
                        + init.model() + ", but the config asks for " + model);
            }
            if (config.sft().steps() == 0) {
                return WarmStart.fromCheckpoint(init);
            }
        }
        if (config.sft().steps() == 0) {
            try (GptModel fresh = WarmStart.freshModel(model, config.job().seed())) {
                return new Checkpoint(0, model, codec.tokenizer().spec(), fresh.weights(), null, Map.of());
            }
        }
        if (config.data().source() != DataSection.Source.TASK) {
            throw new IllegalArgumentException("sft.steps > 0 needs data.source: task (the warm start draws"
                    + " demonstrations from the built-in task); set sft.steps: 0 or give model.init");
        }
        SftState state = new SftState(paths, SftState.settingsOf(config));
        RunEvents events = RunEvents.of(paths);
        Optional<Checkpoint> saved = Optional.empty();
        if (continueSaved) {
            String after = events.endOfPreviousAttempt();
            saved = state.load();
            cutBack(paths.metrics(), saved.map(SftState::metricsBytes).orElse(0L));
            int step = saved.map(s -> (int) s.step()).orElse(0);
            out.println("resuming the SFT warm start at step " + step + " of " + config.sft().steps()
                    + (saved.isEmpty() ? " (no state had been saved)" : ""));
            events.append(RunEvents.RESUME, RunEvents.fields("phase", "sft", "from",
                    saved.isPresent() ? state.stateFile().toString() : "the beginning (no state had been saved)",
                    "step", step, "after", after));
        } else {
            events.append(RunEvents.START, RunEvents.fields("phase", "sft"));
        }
        EvalSpec eval = PlanFactory.eval(config);
        WarmStart.Settings sft = new WarmStart.Settings(config.sft().steps(), config.sft().examples(),
                config.sft().batchSize(), config.sft().learningRate(), config.sft().warmupSteps(),
                config.sft().evalEvery(), config.sft().checkpointEvery());
        PipelineRunner.ProgressLine progress = new PipelineRunner.ProgressLine(config.sft().steps());
        Task demonstrations = Tasks.create(config.data().task(), config.job().seed()
                + WarmStart.DEMONSTRATION_SEED_OFFSET, config.data().difficulty(), config.data().taskOptions());
        try (GptModel start = startingModel(config, model, saved)) {
            state.markRunning();
            try {
                return WarmStart.run(sft, demonstrations, start, saved.orElse(null), codec, eval,
                        line -> appendMetrics(paths, line, progress, out), state);
            } catch (WarmStart.Stopped stopped) {
                events.append(RunEvents.STOP, RunEvents.fields("phase", "sft", "reason", "rollstream stop",
                        "step", stopped.step(), "state", state.stateFile().toString()));
                throw stopped;
            } finally {
                state.clearRunning();
            }
        }
    }

    /** The model the warm start trains: the saved state's, {@code model.init}, or fresh weights. */
    private static GptModel startingModel(RunConfig config, ModelConfig model, Optional<Checkpoint> saved)
            throws IOException {
        if (saved.isPresent()) {
            return Checkpoints.model(saved.get(), Device.cpu());
        }
        if (config.model().init() != null) {
            return Checkpoints.model(CheckpointFormat.load(Path.of(config.model().init())), Device.cpu());
        }
        return WarmStart.freshModel(model, config.job().seed());
    }

    /** The run was stopped during its warm start: what was saved, and how to continue. */
    private static PipelineRunner.Result stoppedDuringWarmStart(RunConfig config, RunPaths paths,
            WarmStart.Stopped stopped, PrintStream out) throws IOException {
        Path state = new SftState(paths, null).stateFile();
        long restarts = RunEvents.of(paths).count(RunEvents.RESTART);
        out.println("---");
        out.println("stopped during the SFT warm start after step " + stopped.step() + " of " + config.sft().steps()
                + "; its state is saved in " + state);
        out.println("restarts: " + restarts);
        out.println("run directory: " + paths.dir());
        out.println("continue with: --resume-from " + paths.dir() + " (the warm start goes on, then RL)");
        return new PipelineRunner.Result(JobStatus.SUSPENDED, state.toString(), List.of(), restarts);
    }

    /** Appends an SFT line to metrics.jsonl; prints every {@value #SFT_PRINT_EVERY}th step and every evaluation. */
    private static void appendMetrics(RunPaths paths, String line, PipelineRunner.ProgressLine progress,
            PrintStream out) {
        try {
            Files.writeString(paths.metrics(), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            JsonNode m = Json.mapper().readTree(line);
            if (m.has("eval_accuracy") || (m.path("step").asLong() + 1) % SFT_PRINT_EVERY == 0) {
                out.println(progress.format(m));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + paths.metrics(), e);
        }
    }

    /** Held-out accuracy of the policy the run ended with. */
    private record FinalEval(long version, double accuracy) {}

    /**
     * Evaluates the final policy: a run stopped by its time limit ends between periodic evaluations,
     * and its summary should still say how good the model it leaves behind is.
     */
    private static FinalEval evaluate(EvalSpec eval, Checkpoint policy, PromptCodec codec) {
        if (eval == null) {
            return null;
        }
        try (GptModel model = Checkpoints.model(policy, Device.cpu())) {
            GreedyEvaluator evaluator = new GreedyEvaluator(codec, eval.heldOutTask().verifier(), eval.maxNewTokens(),
                    256);
            return new FinalEval(policy.step(), evaluator.accuracy(model, eval.heldOutProblems()));
        }
    }

    private static void summarize(RunPaths paths, PipelineRunner.Result result,
            FinalEval finalEval, double seconds, PrintStream out) throws IOException {
        JsonNode lastRl = null;
        Double sftAccuracy = null;
        for (JsonNode m : readAll(paths)) {
            if ("sft".equals(m.path("phase").asText()) && m.has("eval_accuracy")) {
                sftAccuracy = m.path("eval_accuracy").asDouble();
            }
            if ("rl".equals(m.path("phase").asText())) {
                lastRl = m;
            }
        }
        out.println("---");
        out.println(String.format("run finished in %.0f s: %s", seconds, result.status()));
        out.println("restarts: " + result.restarts() + (result.restarts() > 0 ? " (causes in events.jsonl)" : ""));
        if (lastRl != null) {
            out.println(String.format("RL steps: %d, last reward_mean %.3f", lastRl.path("step").asLong() + 1,
                    lastRl.path("reward_mean").asDouble()));
        }
        if (sftAccuracy != null) {
            out.println(String.format("held-out accuracy after SFT: %.1f%%", 100 * sftAccuracy));
        }
        if (finalEval != null) {
            out.println(String.format("held-out accuracy after RL:  %.1f%% (final policy, version %d)",
                    100 * finalEval.accuracy(), finalEval.version()));
        }
        out.println("run directory: " + paths.dir());
        if (result.savepoint() != null) {
            out.println("savepoint: " + result.savepoint());
        }
        out.println("continue with: --resume-from " + paths.dir() + " (its newest checkpoint or savepoint)");
    }

    private static List<JsonNode> readAll(RunPaths paths) throws IOException {
        PipelineRunner.MetricsTail tail = new PipelineRunner.MetricsTail(paths.metrics());
        return tail.poll();
    }
}
