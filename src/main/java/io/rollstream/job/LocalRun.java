package io.rollstream.job;

import ai.djl.Device;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.checkpoint.Checkpoints;
import io.rollstream.common.Json;
import io.rollstream.config.ConfigWriter;
import io.rollstream.config.DataSection;
import io.rollstream.config.ModelSection;
import io.rollstream.config.RunConfig;
import io.rollstream.eval.EvalSpec;
import io.rollstream.eval.GreedyEvaluator;
import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.model.DecoderConfig;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.ModelSpec;
import io.rollstream.policy.PolicyManifest;
import io.rollstream.policy.PolicyStore;
import io.rollstream.tasks.Tasks;
import io.rollstream.tokenizer.PromptCodec;
import io.rollstream.tokenizer.Tokenizer;
import io.rollstream.tokenizer.Tokenizers;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.PrintStream;
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
 * mini-cluster, saves the final model and prints a summary.
 */
public final class LocalRun {

    /** SFT steps between progress lines. */
    private static final int SFT_PRINT_EVERY = 50;

    private LocalRun() {}

    public static PipelineRunner.Result run(RunConfig config, Path runDir, String resumeFrom, PrintStream out)
            throws Exception {
        long start = System.currentTimeMillis();
        Prepared prepared = prepare(config, runDir, resumeFrom, out);
        RunPaths paths = prepared.paths();
        PolicyStore store = prepared.store();
        Tokenizer tokenizer = prepared.tokenizer();
        ModelSpec model = prepared.model();
        PipelinePlan plan = PlanFactory.plan(config, paths, model.contextLength());
        PipelineRunner.Options options = new PipelineRunner.Options(config.job().webUi(), config.job().webUiPort(),
                plan.slots(), config.job().checkpointIntervalS() * 1000L, resumeFrom,
                config.job().maxMinutes(), config.job().prometheusPort(), config.job().checkpointDir(),
                config.job().restartAttempts());
        PipelineRunner.Result result = PipelineRunner.run(plan, PlanFactory.io(config, plan), options, out::println);
        Optional<PolicyManifest> last = store.latest();
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
     */
    public record Prepared(RunPaths paths, PolicyStore store, Tokenizer tokenizer, ModelSpec model) {}

    /**
     * Prepares {@code runDir} for a local or a cluster run: writes the resolved config and, unless
     * resuming, publishes version 0 ({@link #initialPolicy}). A run directory that already holds
     * a policy is refused unless the run resumes from {@code resumeFrom}.
     */
    public static Prepared prepare(RunConfig config, Path runDir, String resumeFrom, PrintStream out)
            throws Exception {
        RunPaths paths = RunPaths.under(runDir, config.policyStore().path());
        Files.createDirectories(paths.dir());
        ConfigWriter.write(config, paths.config());
        Tokenizer tokenizer = Tokenizers.create(PlanFactory.tokenizer(config));
        ModelSpec model = PlanFactory.modelSpec(config, tokenizer);
        CheckpointFormat.requireAddressable(model, true); // the learner's state: weights and AdamW moments
        PolicyStore store = new PolicyStore(paths.policyStore());
        if (resumeFrom != null) {
            store.clearFinished();
            out.println("resuming from " + resumeFrom);
        } else if (store.latest().isEmpty()) {
            out.println("initial policy: " + model.describe()
                    + (config.sft().steps() > 0 ? ", SFT warm start for " + config.sft().steps() + " steps" : ""));
            PromptCodec codec = new PromptCodec(tokenizer, PlanFactory.tokenizer(config).promptFormat());
            store.publish(initialPolicy(config, model, codec, paths, out), "initial");
        } else {
            throw new IllegalArgumentException("run directory " + paths.dir() + " already holds a policy store;"
                    + " continue it with --resume-from " + paths.dir() + ", or choose another --run-dir");
        }
        return new Prepared(paths, store, tokenizer, model);
    }

    /**
     * Version 0: the Hugging Face model of {@code model.path}, {@code model.init} or fresh weights,
     * warm-started with SFT when {@code sft.steps > 0}.
     */
    static Checkpoint initialPolicy(RunConfig config, ModelSpec model, PromptCodec codec, RunPaths paths,
            PrintStream out) throws Exception {
        if (config.model().init() != null) {
            Checkpoint init = CheckpointFormat.load(Path.of(config.model().init()));
            if (!init.model().equals(model)) {
                throw new IllegalArgumentException("model.init " + config.model().init() + " holds a model of shape "
                        + init.model() + ", but the config asks for " + model);
            }
            if (config.sft().steps() == 0) {
                return WarmStart.fromCheckpoint(init, codec.spec());
            }
        }
        try (LanguageModel fresh = startingModel(config, model)) {
            if (config.sft().steps() == 0) {
                return new Checkpoint(0, model, codec.spec(), fresh.weights(), null, origin(config));
            }
            if (config.data().source() != DataSection.Source.TASK) {
                throw new IllegalArgumentException("sft.steps > 0 needs data.source: task (the warm start draws"
                        + " demonstrations from the built-in task); set sft.steps: 0 or give model.init");
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
    private static LanguageModel startingModel(RunConfig config, ModelSpec model) throws Exception {
        if (config.model().source() == ModelSection.Source.HUGGINGFACE) {
            return HfModelDirectory.load(Path.of(config.model().path()), (DecoderConfig) model, Device.cpu());
        }
        if (config.model().init() != null) {
            return Checkpoints.model(CheckpointFormat.load(Path.of(config.model().init())), Device.cpu());
        }
        return WarmStart.freshModel(model, config.job().seed());
    }

    private static Map<String, String> origin(RunConfig config) {
        return config.model().source() == ModelSection.Source.HUGGINGFACE
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
