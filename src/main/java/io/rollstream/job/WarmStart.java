package io.rollstream.job;

import ai.djl.Device;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.eval.EvalSpec;
import io.rollstream.eval.PeriodicEvaluator;
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
import io.rollstream.types.StepMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The supervised warm start before RL: the same trainer with the SFT loss, on a fixed set of
 * demonstrations drawn from the task with their own seed (so RL later sees fresh problems). Its
 * steps are logged with phase "sft"; the held-out accuracy at its end is the baseline RL must beat.
 *
 * <p>It saves its state through a {@link Saver} every {@code checkpointEvery} steps, after its last
 * step and when a stop is requested: weights, AdamW moments and step count, the step, and the data
 * position (how many draws the batch sampler has made: its random generator is replayed to that
 * point on resume). Training continued from a saved state is bit-identical to training straight
 * through: nothing else influences a step.
 */
public final class WarmStart {

    /** Added to the run seed for the demonstration set. */
    static final long DEMONSTRATION_SEED_OFFSET = 2_000_003L;
    /** Checkpoint metadata: SFT steps done. */
    static final String STEP = "sft_step";
    /** Checkpoint metadata: draws of the batch sampler's random generator so far (the data position). */
    static final String DRAWS = "sft_draws";

    /**
     * SFT knobs.
     *
     * @param checkpointEvery save the state every this many steps ({@code sft.checkpoint_every}), 0 = only
     *     at the end and on a stop
     * @param minLearningRate the learning rate decays along a cosine to this at the last step
     *     ({@code sft.min_learning_rate}); null keeps it constant after the warm-up
     */
    public record Settings(
            int steps,
            int examples,
            int batchSize,
            double learningRate,
            int warmupSteps,
            int evalEvery,
            int checkpointEvery,
            Double minLearningRate) {

        /** The optimizer: warm-up, then constant or a cosine decay over all the steps. */
        AdamW.Config optimizer() {
            return minLearningRate == null
                    ? new AdamW.Config(learningRate, 0.9, 0.99, 1e-8, 0.0, warmupSteps)
                    : new AdamW.Config(learningRate, 0.9, 0.99, 1e-8, 0.0, warmupSteps, steps, minLearningRate);
        }

        /** Held-out evaluation after {@code step}: every {@code evalEvery} steps and after the last. */
        boolean evaluatesAfter(int step) {
            return step + 1 == steps || (evalEvery > 0 && (step + 1) % evalEvery == 0);
        }

        /** Whether the state is saved after {@code done} steps (without a stop). */
        boolean savesAfter(int done) {
            return done == steps || (checkpointEvery > 0 && done % checkpointEvery == 0);
        }
    }

    /** Where the warm start's state goes, and how it learns of a stop. */
    public interface Saver {

        /** Saves nothing and never stops. */
        Saver NONE = new Saver() {
            @Override
            public void save(Checkpoint state) {}

            @Override
            public boolean stopRequested() {
                return false;
            }
        };

        /**
         * Saves {@code state} (weights, optimizer, {@link #STEP} and {@link #DRAWS} in its metadata).
         * Its tensors are the training's live arrays: read them during this call, never later.
         */
        void save(Checkpoint state) throws IOException;

        /** Whether a stop was requested ({@code rollstream stop RUN}). */
        boolean stopRequested() throws IOException;
    }

    /** Thrown after the state was saved because a stop was requested. */
    public static final class Stopped extends Exception {
        private static final long serialVersionUID = 1L;
        private final int step;

        Stopped(int step) {
            super("the SFT warm start was stopped after step " + step);
            this.step = step;
        }

        /** SFT steps done (and saved). */
        public int step() {
            return step;
        }
    }

    private WarmStart() {}

    /**
     * Trains {@code model} in place from scratch, saving nothing, and returns its weights as policy
     * version 0.
     *
     * @param metrics receives each metrics.jsonl line (JSON)
     */
    public static Checkpoint run(
            Settings settings,
            Task demonstrationTask,
            LanguageModel model,
            PromptCodec codec,
            EvalSpec eval,
            Consumer<String> metrics)
            throws Exception {
        return run(settings, demonstrationTask, model, null, codec, eval, metrics, Saver.NONE);
    }

    /**
     * Trains {@code model} in place — from scratch, or continuing {@code saved} (whose weights
     * {@code model} holds) — saving through {@code saver}, and returns its weights as policy
     * version 0.
     *
     * @param saved the state to continue from (its optimizer, step and data position), or null
     * @param metrics receives each metrics.jsonl line (JSON)
     * @throws Stopped when a stop was requested (after saving)
     */
    public static Checkpoint run(
            Settings settings,
            Task demonstrationTask,
            LanguageModel model,
            Checkpoint saved,
            PromptCodec codec,
            EvalSpec eval,
            Consumer<String> metrics,
            Saver saver)
            throws Exception {
        List<TrainingExample> demos = new ArrayList<>(settings.examples());
        for (long i = 0; i < settings.examples(); i++) {
            Problem p = demonstrationTask.problem(i);
            demos.add(TrainingExample.demonstration(codec.prompt(p.prompt()), codec.targetCompletion(p.answer())));
        }
        AdamW optimizer = new AdamW(settings.optimizer(), model.parameters());
        PolicyTrainer trainer = new PolicyTrainer(
                model,
                optimizer,
                new PolicyTrainer.Config(1.0, settings.batchSize(), 1.0, PolicyTrainer.OptimizerStep.PER_BATCH),
                codec.tokenizer().padId());
        SftLoss loss = new SftLoss();
        SplittableRandom random =
                new SplittableRandom(demonstrationTask.problem(0).id().hashCode());
        int first = 0;
        long draws = 0;
        if (saved != null) {
            first = Integer.parseInt(saved.metadata().get(STEP));
            draws = Long.parseLong(saved.metadata().get(DRAWS));
            if (first > settings.steps() || draws != (long) first * settings.batchSize()) {
                throw new IllegalArgumentException("the saved SFT state (step " + first + ", " + draws
                        + " draws) does not belong to a warm start of " + settings.steps() + " steps of batch size "
                        + settings.batchSize());
            }
            optimizer.load(saved.optimizer());
            for (long i = 0; i < draws; i++) {
                random.nextInt(demos.size()); // the data position: replay the sampler's draws
            }
        }
        PeriodicEvaluator evaluator = new PeriodicEvaluator(eval, codec);
        for (int step = first; step < settings.steps(); step++) {
            long start = System.nanoTime();
            List<TrainingExample> batch = new ArrayList<>(settings.batchSize());
            for (int i = 0; i < settings.batchSize(); i++) {
                batch.add(demos.get(random.nextInt(demos.size())));
                draws++;
            }
            StepResult result = trainer.step(batch, loss);
            StepMetrics.Optimization optimization =
                    new StepMetrics.Optimization(result.loss(), result.gradNorm(), result.entropy());
            double seconds = (System.nanoTime() - start) / 1e9;
            PeriodicEvaluator.Scores evaluation =
                    settings.evaluatesAfter(step) && evaluator.hasProblems() ? evaluator.evaluate(model) : null;
            metrics.accept(StepMetrics.sft(
                            step,
                            optimization,
                            seconds,
                            evaluation == null ? null : evaluation.accuracy(),
                            evaluation == null ? null : evaluation.passAt())
                    .toJson());
            int done = step + 1;
            boolean stop = saver.stopRequested();
            if (stop || settings.savesAfter(done)) {
                saver.save(trainer.checkpoint(
                        done, codec.spec(), Map.of(STEP, Integer.toString(done), DRAWS, Long.toString(draws))));
            }
            if (stop) {
                throw new Stopped(done);
            }
        }
        return new Checkpoint(
                0,
                model.spec(),
                codec.spec(),
                model.weights(),
                null,
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
            throw new IllegalArgumentException(
                    "model.init was trained with tokenizer " + init.tokenizer().tokens() + " but the run uses "
                            + tokenizer.tokens() + ": use a checkpoint of the same tokenizer");
        }
        return new Checkpoint(0, init.model(), tokenizer, init.weights(), null, init.metadata(), init.adapter());
    }
}
