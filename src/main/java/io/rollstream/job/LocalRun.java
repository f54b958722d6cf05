package io.rollstream.job;

import ai.djl.Device;
import io.rollstream.checkpoint.Adapter;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.checkpoint.Checkpoints;
import io.rollstream.common.Json;
import io.rollstream.config.ConfigWriter;
import io.rollstream.config.RunConfig;
import io.rollstream.device.Placement;
import io.rollstream.eval.EvalSpec;
import io.rollstream.eval.GreedyEvaluator;
import io.rollstream.export.HfExport;
import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.model.DecoderConfig;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.LoraConfig;
import io.rollstream.model.LoraLayout;
import io.rollstream.model.ModelSource;
import io.rollstream.model.ModelSpec;
import io.rollstream.model.Models;
import io.rollstream.model.TensorSource;
import io.rollstream.output.JsonLines;
import io.rollstream.policy.PolicyManifest;
import io.rollstream.policy.PolicyStore;
import io.rollstream.policy.RunSignals;
import io.rollstream.tasks.Task;
import io.rollstream.tasks.Tasks;
import io.rollstream.tokenizer.PromptCodec;
import io.rollstream.tokenizer.Tokenizer;
import io.rollstream.tokenizer.TokenizerSpec;
import io.rollstream.types.StepMetrics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;

/**
 * {@code rollstream run}: prepares the run directory (resolved config, initial policy — fresh,
 * from {@code model.init}, and warm-started with SFT when configured), runs the job on a local
 * mini-cluster, saves the final model and prints a summary. Everything it prints also goes to the
 * run's {@code run.log} ({@link RunLog}), what happens to the run — starts, restarts, stops,
 * resumes — to its {@code events.jsonl} ({@link RunEvents}), and its metrics to TensorBoard event
 * files too ({@link TensorBoardLog}).
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
        Opened opened = open(config, runDir, resume, PreFlight.Mode.LOCAL_RUN);
        try (RunLog log = RunLog.open(opened.paths().runLog(), console);
                TensorBoardLog tensorboard = TensorBoardLog.follow(
                        opened.paths().metrics(), opened.paths().tensorboard(), resume != null)) {
            PrintStream out = log.out();
            Prepared prepared;
            try {
                prepared = preparePolicy(config, opened, resume, out);
            } catch (WarmStart.Stopped stopped) {
                return stoppedDuringWarmStart(config, opened.paths(), stopped, out);
            }
            return runJob(config, prepared, resume, start, out);
        }
    }

    private static PipelineRunner.Result runJob(
            RunConfig config, Prepared prepared, ResumePlan resume, long start, PrintStream out) throws Exception {
        RunPaths paths = prepared.paths();
        PolicyStore store = prepared.store();
        PipelinePlan plan = PlanFactory.plan(config, paths, prepared.model().contextLength());
        String restorePath = resume != null && resume.phase() == ResumePlan.Phase.RESTORE ? resume.restorePath() : null;
        PipelineRunner.Settings options = new PipelineRunner.Settings(
                config.job().webUi(),
                config.job().webUiPort(),
                plan.slots(),
                config.job().checkpointIntervalS() * 1000L,
                restorePath,
                config.job().maxMinutes(),
                config.job().prometheusPort(),
                config.job().checkpointDir(),
                config.job().restartAttempts());
        PipelineRunner.Result result;
        try (ConsoleProgress progress = new ConsoleProgress(
                out::println,
                ConsoleProgress.terminal(),
                config.job().maxSteps(),
                config.job().logEvery(),
                config.job().maxMinutes(),
                System::currentTimeMillis)) {
            result = PipelineRunner.run(plan, PlanFactory.io(config, plan), options, progress);
        } catch (PipelineRunner.NotStarted refused) {
            throw prepared.notStarted(refused);
        }
        RunSignals signals = new RunSignals(store);
        boolean learnerFinished = signals.isFinished();
        Optional<PolicyManifest> last = signals.latest();
        FinalEval finalEval = null;
        List<String> exports = List.of();
        if (last.isPresent()) {
            Checkpoint finalPolicy = store.load(last.get().version());
            CheckpointFormat.save(finalPolicy, paths.finalModel());
            if (config.model().source() == ModelSource.HUGGINGFACE) {
                exports = exportFinal(finalPolicy, paths);
            }
            finalEval = evaluate(
                    PlanFactory.eval(config),
                    finalPolicy,
                    new PromptCodec(
                            prepared.tokenizer(), finalPolicy.tokenizer().promptFormat()));
        }
        if (learnerFinished) {
            RunEvents.of(paths)
                    .append(
                            RunEvents.FINISH,
                            RunEvents.fields(
                                    "steps",
                                    config.job().maxSteps(),
                                    "final_model",
                                    paths.finalModel().toString(),
                                    "restarts",
                                    result.restarts()));
        }
        summarize(
                paths, result, finalEval, (System.currentTimeMillis() - start) / 1000.0, exports, learnerFinished, out);
        return result;
    }

    /**
     * A run directory ready for the job: the resolved config written, and the policy store holding
     * an initial policy (or, when resuming, the store of the run being continued).
     *
     * @param resumed what a resume changed in the run directory, to put back if the job does not
     *     start; null for a new run
     */
    public record Prepared(
            RunPaths paths, PolicyStore store, Tokenizer tokenizer, ModelSpec model, ResumedFiles resumed) {

        /**
         * The error to report when Flink refused to start the job: after a resume, the run directory
         * is put back as it was and the refusal is the user's to fix.
         */
        public RuntimeException notStarted(PipelineRunner.NotStarted refused) throws IOException {
            if (resumed == null) {
                return refused;
            }
            resumed.restore(paths, store);
            return new IllegalArgumentException(
                    "--resume-from: Flink cannot restore the resume point into the job this"
                            + " config makes (" + refused.getMessage() + "); resume with --config " + paths.config()
                            + ", or start a new run",
                    refused);
        }
    }

    /**
     * What a resume changes before its job runs: the resolved config and the finished marker it
     * rewrites, the lines it adds to run.log and events.jsonl, and the empty checkpoint folders
     * Flink makes for a job it then refuses to start.
     */
    record ResumedFiles(
            byte[] config, Optional<byte[]> finishedMarker, Set<Path> checkpointFolders, Map<Path, Long> logLengths) {

        static ResumedFiles before(RunPaths paths, PolicyStore store) throws IOException {
            Map<Path, Long> logLengths = new HashMap<>();
            for (Path log : List.of(paths.runLog(), paths.events())) {
                logLengths.put(log, Files.exists(log) ? Files.size(log) : -1L);
            }
            return new ResumedFiles(
                    Files.readAllBytes(paths.config()),
                    new RunSignals(store).finishedMarker(),
                    entries(paths.checkpoints()),
                    logLengths);
        }

        void restore(RunPaths paths, PolicyStore store) throws IOException {
            Files.write(paths.config(), config);
            // What the refused attempt printed and recorded goes too (run.log, events.jsonl).
            for (Map.Entry<Path, Long> log : logLengths.entrySet()) {
                if (log.getValue() < 0) {
                    Files.deleteIfExists(log.getKey());
                } else {
                    cutBack(log.getKey(), log.getValue());
                }
            }
            if (finishedMarker.isPresent()) {
                new RunSignals(store).restoreFinished(finishedMarker.get());
            }
            for (Path made : entries(paths.checkpoints())) {
                if (!checkpointFolders.contains(made)) {
                    deleteEmptyFolders(made);
                }
            }
            if (checkpointFolders.isEmpty()
                    && Files.isDirectory(paths.checkpoints())
                    && entries(paths.checkpoints()).isEmpty()) {
                Files.delete(paths.checkpoints());
            }
        }

        private static Set<Path> entries(Path folder) throws IOException {
            if (!Files.isDirectory(folder)) {
                return Set.of();
            }
            try (Stream<Path> list = Files.list(folder)) {
                return list.collect(Collectors.toSet());
            }
        }

        /** Deletes {@code folder} if it holds only (empty) folders: never a file. */
        private static void deleteEmptyFolders(Path folder) throws IOException {
            List<Path> tree;
            try (Stream<Path> walk = Files.walk(folder)) {
                tree = walk.sorted(Comparator.reverseOrder()).toList();
            }
            if (tree.stream().allMatch(Files::isDirectory)) {
                for (Path p : tree) {
                    Files.delete(p);
                }
            }
        }
    }

    /**
     * Prepares {@code runDir} for a local or a cluster run ({@link #open}), then publishes version 0
     * unless resuming ({@link #initialPolicy}).
     *
     * @param resumeFrom the checkpoint or savepoint the job restores, or null for a new run
     */
    public static Prepared prepare(
            RunConfig config, Path runDir, String resumeFrom, PrintStream out, PreFlight.Mode mode) throws Exception {
        ResumePlan resume = resumeFrom == null ? null : ResumePlan.restore(resumeFrom);
        return preparePolicy(config, open(config, runDir, resume, mode), resume, out);
    }

    /** A run directory checked and holding the resolved config; what a resume may have to put back. */
    private record Opened(RunPaths paths, PolicyStore store, PreFlight.Checked checked, ResumedFiles resumed) {}

    /**
     * First every check that needs no write ({@link PreFlight}; a new run's directory must be new or
     * empty, a resumed run's must be the run it continues: {@link RunDirectory}), then the run
     * directory with the resolved config. A resume that had not got as far as the initial policy
     * ({@link ResumePlan.Phase#INITIAL}) is checked as a new run's initial policy is.
     */
    private static Opened open(RunConfig config, Path runDir, ResumePlan resume, PreFlight.Mode mode)
            throws IOException {
        RunPaths paths = RunPaths.under(runDir, config.policyStore().path());
        boolean resuming = resume != null;
        PreFlight.Checked checked =
                PreFlight.check(config, mode, resuming && resume.phase() != ResumePlan.Phase.INITIAL);
        PreFlight.disk(config, checked.model(), runDir);
        PolicyStore store = new PolicyStore(paths.policyStore());
        if (resuming) {
            RunDirectory.requireResumable(paths.dir(), config);
        } else {
            RunDirectory.requireNewOrEmpty(paths.dir(), "--run-dir");
            if (new RunSignals(store).latest().isPresent()) {
                throw new IllegalArgumentException("policy_store.path " + store.root() + " already holds the policy"
                        + " store of another run: a new run needs its own; set another policy_store.path");
            }
        }
        ResumedFiles resumed = resuming ? ResumedFiles.before(paths, store) : null;
        Files.createDirectories(paths.dir());
        ConfigWriter.write(config, paths.config());
        return new Opened(paths, store, checked, resumed);
    }

    /**
     * The policy store ready for the job: version 0 published for a new run (or a resume that had
     * not got that far: the warm start continues from its saved state); for a resume of the RL job
     * from its beginning, the record files cut back to the end of the warm start.
     */
    private static Prepared preparePolicy(RunConfig config, Opened opened, ResumePlan resume, PrintStream out)
            throws Exception {
        RunPaths paths = opened.paths();
        PolicyStore store = opened.store();
        PreFlight.Checked checked = opened.checked();
        ModelSpec model = checked.model();
        if (resume != null && resume.phase() != ResumePlan.Phase.INITIAL) {
            new RunSignals(store).clearFinished();
            out.println("resuming from " + resume.describe());
            if (resume.phase() == ResumePlan.Phase.RL_START) {
                startRlOver(config, paths);
            }
        } else {
            out.println("initial policy: " + model.describe()
                    + (config.sft().steps() > 0
                            ? ", SFT warm start for " + config.sft().steps() + " steps"
                            : ""));
            PromptCodec codec = new PromptCodec(
                    checked.tokenizer(), PlanFactory.tokenizer(config).promptFormat());
            publishInitialPolicy(config, model, checked.init(), codec, paths, resume != null, out, store);
        }
        return new Prepared(paths, store, checked.tokenizer(), model, opened.resumed());
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
                ? new SftState(paths, SftState.settingsOf(config))
                        .load()
                        .map(SftState::metricsBytes)
                        .orElse(0L)
                : 0L;
        cutBack(paths.metrics(), sftEnd);
        cutBack(paths.rollouts(), 0);
        cutBack(paths.invalidRecords(), 0);
        events.append(
                RunEvents.RESUME,
                RunEvents.fields("phase", "rl", "from", "the start of RL", "step", 0, "after", after));
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
     * Publishes version 0. Without {@code model.lora}, the initial policy ({@link #initialPolicy}).
     * With it, fresh adapters (B zero: exactly the base model) on a base that is the Hugging Face
     * directory itself (by path and checksum, nothing copied) or, for a builtin model or one
     * warm-started by SFT, the initial policy written once at the store's root; or the adapters of a
     * {@code model.init} that has them, on their own base.
     */
    private static void publishInitialPolicy(
            RunConfig config,
            ModelSpec model,
            Checkpoint init,
            PromptCodec codec,
            RunPaths paths,
            boolean continueSaved,
            PrintStream out,
            PolicyStore store)
            throws Exception {
        LoraConfig lora = config.model().lora();
        if (lora == null || (init != null && init.adapter() != null)) {
            initialPolicy(
                    config, model, init, codec, paths, continueSaved, out, policy -> store.publish(policy, "initial"));
        } else if (config.model().source() == ModelSource.HUGGINGFACE
                && config.sft().steps() == 0) {
            Path dir = Path.of(config.model().path()).toAbsolutePath().normalize();
            Adapter.Base base =
                    new Adapter.Base(Adapter.Base.HUGGINGFACE, dir.toString(), HfModelDirectory.fingerprint(dir));
            store.publish(
                    freshAdapters(model, codec.spec(), lora, base, config.job().seed(), origin(config)), "initial");
        } else {
            initialPolicy(
                    config,
                    model,
                    init,
                    codec,
                    paths,
                    continueSaved,
                    out,
                    full -> store.publish(
                            freshAdapters(
                                    model,
                                    full.tokenizer(),
                                    lora,
                                    store.publishBase(full),
                                    config.job().seed(),
                                    full.metadata()),
                            "initial"));
        }
    }

    /** Version 0 of a LoRA run: fresh adapters on {@code base}, deterministic in {@code seed}. */
    static Checkpoint freshAdapters(
            ModelSpec model,
            TokenizerSpec tokenizer,
            LoraConfig lora,
            Adapter.Base base,
            long seed,
            Map<String, String> metadata) {
        Map<String, float[]> adapters =
                LoraLayout.initialWeights(Models.decoder(model), lora, new SplittableRandom(seed));
        return new Checkpoint(0, model, tokenizer, TensorSource.of(adapters), null, metadata, new Adapter(lora, base));
    }

    /** Where the initial policy goes: the policy store, or the file {@code rollstream sft} writes. */
    @FunctionalInterface
    interface PolicySink {
        void accept(Checkpoint policy) throws IOException;
    }

    /**
     * Writes version 0 to {@code sink}: the Hugging Face model of {@code model.path}, {@code init}
     * (the verified {@code model.init}, or null) or fresh weights, warm-started with SFT when {@code
     * sft.steps > 0} (on a built-in task: {@link PreFlight} refuses other sources). Without a warm
     * start the weights go from the model's arrays to the sink tensor by tensor. The warm start saves
     * its state in the run directory ({@link SftState}) every {@code sft.checkpoint_every} steps, at
     * its end and on a stop.
     *
     * @param continueSaved continue the warm start from its saved state (a resume): metrics.jsonl is
     *     cut back to where it was when that state was saved, or emptied when none was saved
     * @throws WarmStart.Stopped when {@code rollstream stop} came during the warm start (its state is saved)
     */
    static void initialPolicy(
            RunConfig config,
            ModelSpec model,
            Checkpoint init,
            PromptCodec codec,
            RunPaths paths,
            boolean continueSaved,
            PrintStream out,
            PolicySink sink)
            throws Exception {
        if (init != null && config.sft().steps() == 0) {
            sink.accept(WarmStart.fromCheckpoint(init, codec.spec()));
            return;
        }
        if (config.sft().steps() == 0) {
            try (LanguageModel fresh = startingModel(config, model, init)) {
                sink.accept(new Checkpoint(
                        0, model, codec.spec(), TensorSource.ofArrays(fresh.parameters()), null, origin(config)));
            }
            return;
        }
        SftState state = new SftState(paths, SftState.settingsOf(config));
        RunEvents events = RunEvents.of(paths);
        Optional<Checkpoint> saved = Optional.empty();
        if (continueSaved) {
            String after = events.endOfPreviousAttempt();
            saved = state.load();
            cutBack(paths.metrics(), saved.map(SftState::metricsBytes).orElse(0L));
            int step = saved.map(s -> (int) s.step()).orElse(0);
            out.println("resuming the SFT warm start at step " + step + " of "
                    + config.sft().steps() + (saved.isEmpty() ? " (no state had been saved)" : ""));
            events.append(
                    RunEvents.RESUME,
                    RunEvents.fields(
                            "phase",
                            "sft",
                            "from",
                            saved.isPresent()
                                    ? state.stateFile().toString()
                                    : "the beginning (no state had been saved)",
                            "step",
                            step,
                            "after",
                            after));
        } else {
            events.append(RunEvents.START, RunEvents.fields("phase", "sft"));
        }
        EvalSpec eval = PlanFactory.eval(config);
        WarmStart.Settings sft = new WarmStart.Settings(
                config.sft().steps(),
                config.sft().examples(),
                config.sft().batchSize(),
                config.sft().learningRate(),
                config.sft().warmupSteps(),
                config.sft().evalEvery(),
                config.sft().checkpointEvery(),
                config.sft().minLearningRate());
        Task demonstrations = PlanFactory.withoutHeldOut(
                config,
                Tasks.create(
                        config.data().task(),
                        config.job().seed() + WarmStart.DEMONSTRATION_SEED_OFFSET,
                        config.data().difficulty(),
                        config.data().taskOptions()));
        try (LanguageModel start =
                saved.isPresent() ? Checkpoints.model(saved.get(), Device.cpu()) : startingModel(config, model, init)) {
            state.markRunning();
            try {
                sink.accept(WarmStart.run(
                        sft,
                        demonstrations,
                        start,
                        saved.orElse(null),
                        codec,
                        eval,
                        line -> appendMetrics(paths, line, config.sft().steps(), out),
                        state));
            } catch (WarmStart.Stopped stopped) {
                events.append(
                        RunEvents.STOP,
                        RunEvents.fields(
                                "phase",
                                "sft",
                                "reason",
                                "rollstream stop",
                                "step",
                                stopped.step(),
                                "state",
                                state.stateFile().toString()));
                throw stopped;
            } finally {
                state.clearRunning();
            }
        }
    }

    /** The run was stopped during its warm start: what was saved, and how to continue. */
    private static PipelineRunner.Result stoppedDuringWarmStart(
            RunConfig config, RunPaths paths, WarmStart.Stopped stopped, PrintStream out) throws IOException {
        Path state = new SftState(paths, null).stateFile();
        long restarts = RunEvents.of(paths).count(RunEvents.RESTART);
        out.println("---");
        out.println("stopped during the SFT warm start after step " + stopped.step() + " of "
                + config.sft().steps() + "; its state is saved in " + state);
        out.println("restarts: " + restarts);
        out.println("run directory: " + paths.dir());
        out.println("continue with: --resume-from " + paths.dir() + " (the warm start goes on, then RL)");
        return new PipelineRunner.Result(JobStatus.SUSPENDED, state.toString(), List.of(), restarts);
    }

    /** The weights version 0 starts from (before any warm start). */
    private static LanguageModel startingModel(RunConfig config, ModelSpec model, Checkpoint init) throws Exception {
        if (config.model().source() == ModelSource.HUGGINGFACE) {
            return HfModelDirectory.load(Path.of(config.model().path()), (DecoderConfig) model, Placement.cpu());
        }
        return init != null
                ? Checkpoints.model(init, Device.cpu())
                : WarmStart.freshModel(model, config.job().seed());
    }

    private static Map<String, String> origin(RunConfig config) {
        return config.model().source() == ModelSource.HUGGINGFACE
                ? Map.of(
                        "origin",
                        "huggingface "
                                + Path.of(config.model().path())
                                        .toAbsolutePath()
                                        .normalize())
                : Map.of();
    }

    /** Appends an SFT line to metrics.jsonl; prints every {@value #SFT_PRINT_EVERY}th step and every evaluation. */
    private static void appendMetrics(RunPaths paths, String line, int steps, PrintStream out) {
        try {
            Files.writeString(
                    paths.metrics(),
                    line + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            StepMetrics m = Json.mapper().readValue(line, StepMetrics.class);
            if (m.evaluated() || (m.step() + 1) % SFT_PRINT_EVERY == 0) {
                out.println(ConsoleProgress.sftLine(m, steps));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + paths.metrics(), e);
        }
    }

    /**
     * A run that started from a Hugging Face model exports its final policy as one too: {@code
     * final-model-hf/} (adapters merged) and, with LoRA, the PEFT adapter {@code final-adapter-peft/}.
     * Each is written beside and then moved in place, replacing a resumed run's earlier export. A
     * failed export leaves the run's result ({@code final-model.rsckpt}) and says how to retry.
     *
     * @return a line per export for the summary
     */
    private static List<String> exportFinal(Checkpoint policy, RunPaths paths) {
        List<String> lines = new ArrayList<>();
        try {
            replace(paths.finalModelHf(), dir -> HfExport.model(policy, dir, HfExport.Settings.DEFAULTS));
            lines.add("Hugging Face model (transformers, vLLM): " + paths.finalModelHf());
            if (policy.adapter() != null) {
                replace(paths.finalAdapterPeft(), dir -> HfExport.adapter(policy, dir, HfExport.Settings.DEFAULTS));
                lines.add("PEFT adapter: " + paths.finalAdapterPeft());
            }
        } catch (IOException | RuntimeException e) {
            lines.add("the Hugging Face export failed (" + e.getMessage() + "); retry with: jobs/rollstream export"
                    + " --policy " + paths.finalModel() + " --out DIR");
        }
        return lines;
    }

    /** What writes an export into an empty directory. */
    @FunctionalInterface
    private interface Export {
        String write(Path dir) throws IOException;
    }

    private static void replace(Path target, Export export) throws IOException {
        Path fresh = target.resolveSibling("." + target.getFileName() + ".tmp");
        deleteTree(fresh);
        export.write(fresh);
        deleteTree(target);
        Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
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
        try (LanguageModel model = Checkpoints.model(policy, Device.cpu())) {
            GreedyEvaluator evaluator = GreedyEvaluator.of(codec, eval);
            return new FinalEval(policy.step(), evaluator.accuracy(model, eval.heldOutProblems()));
        }
    }

    private static void summarize(
            RunPaths paths,
            PipelineRunner.Result result,
            FinalEval finalEval,
            double seconds,
            List<String> exports,
            boolean learnerFinished,
            PrintStream out)
            throws IOException {
        StepMetrics lastRl = null;
        Double sftAccuracy = null;
        for (StepMetrics m : JsonLines.readIfExists(paths.metrics(), StepMetrics.class)) {
            if (m.isSft() && m.evaluated()) {
                sftAccuracy = m.evalAccuracy();
            }
            if (m.isRl()) {
                lastRl = m;
            }
        }
        out.println("---");
        out.println(String.format("run finished in %.0f s: %s", seconds, result.status()));
        out.println("restarts: " + result.restarts() + (result.restarts() > 0 ? " (causes in events.jsonl)" : ""));
        if (lastRl != null) {
            out.println(String.format(
                    "RL steps: %d, last reward_mean %.3f",
                    lastRl.step() + 1, lastRl.rewards().rewardMean()));
        }
        out.println(String.format(
                "invalid records: %,d%s",
                invalidRecords(paths),
                invalidRecords(paths) > 0 ? " (with their reasons in " + paths.invalidRecords() + ")" : ""));
        if (sftAccuracy != null) {
            out.println(String.format("held-out accuracy after SFT: %.1f%%", 100 * sftAccuracy));
        }
        if (finalEval != null) {
            out.println(String.format(
                    "held-out accuracy after RL:  %.1f%% (final policy, version %d)",
                    100 * finalEval.accuracy(), finalEval.version()));
        }
        out.println("run directory: " + paths.dir());
        exports.forEach(out::println);
        if (result.savepoint() != null) {
            out.println("savepoint: " + result.savepoint());
        }
        if (learnerFinished) {
            out.println("next: jobs/rollstream report " + paths.dir() + " (plots and samples in report.html)");
            out.println("      jobs/rollstream eval --policy " + paths.dir()
                    + " (the final model on held-out problems; --samples K for pass@K)");
        } else {
            out.println("continue with: --resume-from " + paths.dir() + " (its newest checkpoint or savepoint)");
        }
    }

    /** Lines of invalid-records.jsonl: every record the run refused, once each. */
    private static long invalidRecords(RunPaths paths) throws IOException {
        if (!Files.exists(paths.invalidRecords())) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(paths.invalidRecords(), StandardCharsets.UTF_8)) {
            return lines.filter(line -> !line.isBlank()).count();
        }
    }
}
