package io.rollstream.job;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.checkpoint.Checkpoints;
import io.rollstream.common.Json;
import io.rollstream.config.ConfigWriter;
import io.rollstream.config.RunConfig;
import io.rollstream.eval.EvalSpec;
import io.rollstream.eval.GreedyEvaluator;
import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.model.DecoderConfig;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.ModelSource;
import io.rollstream.model.ModelSpec;
import io.rollstream.output.JsonLines;
import io.rollstream.policy.PolicyManifest;
import io.rollstream.policy.PolicyStore;
import io.rollstream.policy.RunSignals;
import io.rollstream.tasks.Tasks;
import io.rollstream.tokenizer.PromptCodec;
import io.rollstream.tokenizer.Tokenizer;

import ai.djl.Device;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code rollstream run}: prepares the run directory (resolved config, initial policy — fresh,
 * from {@code model.init}, and warm-started with SFT when configured), runs the job on a local
 * mini-cluster, saves the final model and prints a summary.
 */
public final class LocalRun {

    /** SFT steps between progress lines. */
    private static final int SFT_PRINT_EVERY = 50;

    private LocalRun() {}

    public static PipelineRunner.Result run(RunConfig config, Path runDir, String resumeFrom, PrintStream out)
            throws Exception {
        long start = System.currentTimeMillis();
        Prepared prepared = prepare(config, runDir, resumeFrom, out, PreFlight.Mode.LOCAL_RUN);
        RunPaths paths = prepared.paths();
        PolicyStore store = prepared.store();
        Tokenizer tokenizer = prepared.tokenizer();
        ModelSpec model = prepared.model();
        PipelinePlan plan = PlanFactory.plan(config, paths, model.contextLength());
        PipelineRunner.Options options = new PipelineRunner.Options(config.job().webUi(), config.job().webUiPort(),
                plan.slots(), config.job().checkpointIntervalS() * 1000L, resumeFrom,
                config.job().maxMinutes(), config.job().prometheusPort(), config.job().checkpointDir(),
                config.job().restartAttempts());
        PipelineRunner.Result result;
        try {
            result = PipelineRunner.run(plan, PlanFactory.io(config, plan), options, out::println);
        } catch (PipelineRunner.NotStarted refused) {
            throw prepared.notStarted(refused);
        }
        Optional<PolicyManifest> last = new RunSignals(store).latest();
        FinalEval finalEval = null;
        if (last.isPresent()) {
            Checkpoint finalPolicy = store.load(last.get().version());
            CheckpointFormat.save(finalPolicy, paths.finalModel());
            finalEval = evaluate(PlanFactory.eval(config), finalPolicy,
                    new PromptCodec(tokenizer, finalPolicy.tokenizer().promptFormat()));
        }
        summarize(paths, result, finalEval, (System.currentTimeMillis() - start) / 1000.0, out);
        return result;
    }

    /**
     * A run directory ready for the job: the resolved config written, and the policy store holding
     * an initial policy (or, when resuming, the store of the run being continued).
     *
     * @param resumed what a resume changed in the run directory, to put back if the job does not
     *     start; null for a new run
     */
    public record Prepared(RunPaths paths, PolicyStore store, Tokenizer tokenizer, ModelSpec model,
            ResumedFiles resumed) {

        /**
         * The error to report when Flink refused to start the job: after a resume, the run directory
         * is put back as it was and the refusal is the user's to fix.
         */
        public RuntimeException notStarted(PipelineRunner.NotStarted refused) throws IOException {
            if (resumed == null) {
                return refused;
            }
            resumed.restore(paths, store);
            return new IllegalArgumentException("--resume-from: Flink cannot restore the resume point into the job this"
                    + " config makes (" + refused.getMessage() + "); resume with --config " + paths.config()
                    + ", or start a new run", refused);
        }
    }

    /**
     * What a resume changes before its job runs: the resolved config and the finished marker it
     * rewrites, and the empty checkpoint folders Flink makes for a job it then refuses to start.
     */
    record ResumedFiles(byte[] config, Optional<byte[]> finishedMarker, Set<Path> checkpointFolders) {

        static ResumedFiles before(RunPaths paths, PolicyStore store) throws IOException {
            return new ResumedFiles(Files.readAllBytes(paths.config()), new RunSignals(store).finishedMarker(),
                    entries(paths.checkpoints()));
        }

        void restore(RunPaths paths, PolicyStore store) throws IOException {
            Files.write(paths.config(), config);
            if (finishedMarker.isPresent()) {
                new RunSignals(store).restoreFinished(finishedMarker.get());
            }
            for (Path made : entries(paths.checkpoints())) {
                if (!checkpointFolders.contains(made)) {
                    deleteEmptyFolders(made);
                }
            }
            if (checkpointFolders.isEmpty() && Files.isDirectory(paths.checkpoints())
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
     * Prepares {@code runDir} for a local or a cluster run: first every check that needs no write
     * ({@link PreFlight}; a new run's directory must be new or empty, a resumed run's must be the run
     * it continues: {@link RunDirectory}), then writes the resolved config and, unless resuming,
     * publishes version 0 ({@link #initialPolicy}).
     */
    public static Prepared prepare(RunConfig config, Path runDir, String resumeFrom, PrintStream out,
            PreFlight.Mode mode) throws Exception {
        RunPaths paths = RunPaths.under(runDir, config.policyStore().path());
        boolean resuming = resumeFrom != null;
        PreFlight.Checked checked = PreFlight.check(config, mode, resuming);
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
        ModelSpec model = checked.model();
        if (resuming) {
            new RunSignals(store).clearFinished();
            out.println("resuming from " + resumeFrom);
        } else {
            out.println("initial policy: " + model.describe()
                    + (config.sft().steps() > 0 ? ", SFT warm start for " + config.sft().steps() + " steps" : ""));
            PromptCodec codec = new PromptCodec(checked.tokenizer(), PlanFactory.tokenizer(config).promptFormat());
            store.publish(initialPolicy(config, model, checked.init(), codec, paths, out), "initial");
        }
        return new Prepared(paths, store, checked.tokenizer(), model, resumed);
    }

    /**
     * Version 0: the Hugging Face model of {@code model.path}, {@code init} (the verified {@code
     * model.init}, or null) or fresh weights, warm-started with SFT when {@code sft.steps > 0} (on a
     * built-in task: {@link PreFlight} refuses other sources).
     */
    static Checkpoint initialPolicy(RunConfig config, ModelSpec model, Checkpoint init, PromptCodec codec,
            RunPaths paths, PrintStream out) throws Exception {
        if (init != null && config.sft().steps() == 0) {
            return WarmStart.fromCheckpoint(init, codec.spec());
        }
        try (LanguageModel fresh = startingModel(config, model, init)) {
            if (config.sft().steps() == 0) {
                return new Checkpoint(0, model, codec.spec(), fresh.weights(), null, origin(config));
            }
            EvalSpec eval = PlanFactory.eval(config);
            WarmStart.Settings sft = new WarmStart.Settings(config.sft().steps(), config.sft().examples(),
                    config.sft().batchSize(), config.sft().learningRate(), config.sft().warmupSteps(),
                    config.sft().evalEvery());
            PipelineRunner.ProgressLine progress = new PipelineRunner.ProgressLine(config.sft().steps());
            return WarmStart.run(sft, Tasks.create(config.data().task(), config.job().seed()
                            + WarmStart.DEMONSTRATION_SEED_OFFSET, config.data().difficulty(), config.data().taskOptions()),
                    fresh, codec, eval, line -> appendMetrics(paths, line, progress, out));
        }
    }

    /** The weights version 0 starts from (before any warm start). */
    private static LanguageModel startingModel(RunConfig config, ModelSpec model, Checkpoint init) throws Exception {
        if (config.model().source() == ModelSource.HUGGINGFACE) {
            return HfModelDirectory.load(Path.of(config.model().path()), (DecoderConfig) model, Device.cpu());
        }
        return init != null ? Checkpoints.model(init, Device.cpu()) : WarmStart.freshModel(model, config.job().seed());
    }

    private static Map<String, String> origin(RunConfig config) {
        return config.model().source() == ModelSource.HUGGINGFACE
                ? Map.of("origin", "huggingface " + Path.of(config.model().path()).toAbsolutePath().normalize())
                : Map.of();
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
        try (LanguageModel model = Checkpoints.model(policy, Device.cpu())) {
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
        if (lastRl != null) {
            out.println(String.format("RL steps: %d, last reward_mean %.3f", lastRl.path("step").asLong() + 1,
                    lastRl.path("reward_mean").asDouble()));
        }
        out.println(String.format("invalid records: %,d%s", invalidRecords(paths),
                invalidRecords(paths) > 0 ? " (with their reasons in " + paths.invalidRecords() + ")" : ""));
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

    /** Lines of invalid-records.jsonl: every record the run refused, once each. */
    private static long invalidRecords(RunPaths paths) throws IOException {
        if (!Files.exists(paths.invalidRecords())) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(paths.invalidRecords(), StandardCharsets.UTF_8)) {
            return lines.filter(line -> !line.isBlank()).count();
        }
    }

    private static List<JsonNode> readAll(RunPaths paths) throws IOException {
        return JsonLines.readIfExists(paths.metrics());
    }
}
