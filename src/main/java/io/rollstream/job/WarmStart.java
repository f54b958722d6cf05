package io.rollstream.job;

import ai.djl.Device;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.common.Json;
import io.rollstream.eval.EvalSpec;
import io.rollstream.eval.GreedyEvaluator;
import io.rollstream.learner.AdamW;
import io.rollstream.learner.PolicyTrainer;
import io.rollstream.learner.SftLoss;
import io.rollstream.learner.StepResult;
import io.rollstream.learner.TrainingExample;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.ModelSpec;
import io.rollstream.model.Models;
import io.rollstream.tasks.Problem;
import io.rollstream.tasks.Task;
import io.rollstream.tokenizer.PromptCodec;
import io.rollstream.tokenizer.TokenizerSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The supervised warm start before RL: the same trainer with the SFT loss, on a fixed set of
 * demonstrations drawn from the task with their own seed (so RL later sees fresh problems). Its
 * steps are logged with phase "sft"; the held-out accuracy at its end is the baseline RL must beat.
 */
public final class WarmStart {

    /** Added to the run seed for the demonstration set. */
    static final long DEMONSTRATION_SEED_OFFSET = 2_000_003L;

    /** SFT knobs. */
    public record Settings(int steps, int examples, int batchSize, double learningRate, int warmupSteps,
            int evalEvery) {

        /** Held-out evaluation after {@code step}: every {@code evalEvery} steps and after the last. */
        boolean evaluatesAfter(int step) {
            return step + 1 == steps || (evalEvery > 0 && (step + 1) % evalEvery == 0);
        }
    }

    private WarmStart() {}

    /**
     * Trains {@code model} in place and returns its weights as policy version 0.
     *
     * @param metrics receives each metrics.jsonl line (JSON)
     */
    public static Checkpoint run(Settings settings, Task demonstrationTask, LanguageModel model, PromptCodec codec,
            EvalSpec eval, Consumer<String> metrics) throws Exception {
        List<TrainingExample> demos = new ArrayList<>(settings.examples());
        for (long i = 0; i < settings.examples(); i++) {
            Problem p = demonstrationTask.problem(i);
            demos.add(TrainingExample.demonstration(codec.prompt(p.prompt()), codec.targetCompletion(p.answer())));
        }
        PolicyTrainer trainer = new PolicyTrainer(model,
                new AdamW(new AdamW.Config(settings.learningRate(), 0.9, 0.99, 1e-8, 0.0, settings.warmupSteps()),
                        model.parameters()),
                new PolicyTrainer.Config(1.0, settings.batchSize(), 1.0, PolicyTrainer.OptimizerStep.PER_BATCH),
                codec.tokenizer().padId());
        SftLoss loss = new SftLoss();
        SplittableRandom random = new SplittableRandom(demonstrationTask.problem(0).id().hashCode());
        GreedyEvaluator evaluator = new GreedyEvaluator(codec, eval.heldOutTask().verifier(), eval.maxNewTokens(), 256);
        List<Problem> heldOut = eval.heldOutProblems();
        for (int step = 0; step < settings.steps(); step++) {
            long start = System.nanoTime();
            List<TrainingExample> batch = new ArrayList<>(settings.batchSize());
            for (int i = 0; i < settings.batchSize(); i++) {
                batch.add(demos.get(random.nextInt(demos.size())));
            }
            StepResult result = trainer.step(batch, loss);
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("phase", "sft");
            line.put("step", step);
            line.put("loss", result.loss());
            line.put("grad_norm", result.gradNorm());
            line.put("entropy", result.entropy());
            line.put("step_time_s", (System.nanoTime() - start) / 1e9);
            if (settings.evaluatesAfter(step) && !heldOut.isEmpty()) {
                line.put("eval_accuracy", evaluator.accuracy(model, heldOut));
            }
            metrics.accept(Json.mapper().writeValueAsString(line));
        }
        return new Checkpoint(0, model.spec(), codec.spec(), model.weights(), null,
                Map.of("origin", "sft warm start, " + settings.steps() + " steps"));
    }

    /** A fresh model for {@code config}, deterministic in {@code seed}. */
    public static LanguageModel freshModel(ModelSpec spec, long seed) {
        return Models.initialize(spec, seed, Device.cpu());
    }

    /**
     * Version 0 from an existing checkpoint (its optimizer state is not carried into RL), with the run's
     * tokenizer spec: the same tokens as the checkpoint's, and the run's prompt format.
     *
     * @throws IllegalArgumentException if the checkpoint was trained with another tokenizer
     */
    public static Checkpoint fromCheckpoint(Checkpoint init, TokenizerSpec tokenizer) {
        if (!init.tokenizer().tokens().equals(tokenizer.tokens())) {
            throw new IllegalArgumentException("model.init was trained with tokenizer " + init.tokenizer().tokens()
                    + " but the run uses " + tokenizer.tokens() + ": use a checkpoint of the same tokenizer");
        }
        return new Checkpoint(0, init.model(), tokenizer, init.weights(), null, init.metadata(), init.adapter());
    }
}
