package io.rollstream.learner;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import io.rollstream.model.LanguageModel;
import io.rollstream.model.SequenceBatch;
import io.rollstream.model.TokenLogprobs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains a {@link LanguageModel} with any {@link Loss}: splits a batch into micro-batches, accumulates
 * their gradients (each micro-loss divided by the token count of the whole update, so the sum is
 * the gradient of one big batch), clips to the global norm, guards against non-finite and all-zero
 * gradients, and applies {@link AdamW}. In {@code PER_PROMPT} mode each group of examples (the
 * rollouts of one prompt) gets its own accumulate-clip-step cycle, as seed 2 describes.
 *
 * <p>Pure Java + DJL, no Flink. Only one instance may train at a time per JVM (DJL's gradient
 * collector is JVM-wide). Every forward's arrays live in an {@link NDScope} closed after backward,
 * which also keeps every input and constant alive until backward has read it.
 */
public final class PolicyTrainer {

    /** When the optimizer steps. */
    public enum OptimizerStep { PER_BATCH, PER_PROMPT }

    /** Gradient norms above this are treated as corrupted rather than clipped. */
    static final double ABSURD_GRAD_NORM = 1e8;

    /**
     * @param maxGradNorm global-norm clip threshold
     * @param microBatchSize rows per forward/backward pass
     * @param temperature logits are divided by it before log-softmax (the sampling temperature)
     * @param optimizerStep one update per batch or per prompt group
     */
    public record Config(double maxGradNorm, int microBatchSize, double temperature, OptimizerStep optimizerStep) implements java.io.Serializable {
        public static Config defaults() {
            return new Config(1.0, 64, 1.0, OptimizerStep.PER_BATCH);
        }

        public Config {
            if (!(maxGradNorm > 0)) {
                throw new IllegalArgumentException("learner.max_grad_norm must be > 0, got " + maxGradNorm);
            }
            if (microBatchSize < 1) {
                throw new IllegalArgumentException("learner.micro_batch_size must be >= 1, got " + microBatchSize);
            }
            if (!(temperature > 0)) {
                throw new IllegalArgumentException("rollout.temperature must be > 0, got " + temperature);
            }
            if (optimizerStep == null) {
                optimizerStep = OptimizerStep.PER_BATCH;
            }
        }
    }

    private final LanguageModel model;
    private final AdamW optimizer;
    private final Config config;
    private final int padId;
    /** Test hook run between forward and backward (e.g. to force a GC). */
    private Runnable beforeBackward = () -> {};

    public PolicyTrainer(LanguageModel model, AdamW optimizer, Config config, int padId) {
        this.model = model;
        this.optimizer = optimizer;
        this.config = config;
        this.padId = padId;
        model.setTrainable(true);
    }

    void setBeforeBackward(Runnable hook) {
        this.beforeBackward = hook;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public LanguageModel model() {
        return model;
    }

    /** Trains on {@code batch} with {@code loss}: one optimizer update, or one per group. */
    public StepResult step(List<TrainingExample> batch, Loss loss) {
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("cannot train on an empty batch");
        }
        List<List<TrainingExample>> updates = config.optimizerStep() == OptimizerStep.PER_PROMPT
                ? byGroup(batch) : List.of(batch);
        Accumulator total = new Accumulator();
        for (List<TrainingExample> update : updates) {
            total.add(update(update, loss));
        }
        return total.result(updates.size());
    }

    /** Accumulates gradients over the micro-batches of one update, then clips and steps. */
    private UpdateResult update(List<TrainingExample> examples, Loss loss) {
        Accumulated acc = accumulate(examples, loss);
        double meanLoss = acc.lossSum / acc.tokens;
        var parameters = model.parameters().values();
        double norm = GradientNorms.globalNorm(parameters);
        boolean nonFinite = !Double.isFinite(meanLoss) || !Double.isFinite(norm) || norm > ABSURD_GRAD_NORM;
        boolean zero = !nonFinite && norm == 0;
        if (nonFinite || zero) {
            GradientNorms.zero(parameters);
        } else {
            GradientNorms.clip(parameters, norm, config.maxGradNorm());
            optimizer.update();
        }
        return new UpdateResult(meanLoss, norm, nonFinite, zero, acc.tokens, acc.entropySum, acc.diagnostics);
    }

    /**
     * Runs forward and backward over the micro-batches of one update; the parameters' gradients
     * then hold the gradient of the token-mean loss over all of {@code examples}.
     */
    Accumulated accumulate(List<TrainingExample> examples, Loss loss) {
        long tokens = 0;
        for (TrainingExample e : examples) {
            tokens += e.completion().length;
        }
        double lossSum = 0;
        double entropySum = 0;
        Map<String, Double> diagnostics = new LinkedHashMap<>();
        for (int from = 0; from < examples.size(); from += config.microBatchSize()) {
            List<TrainingExample> micro = examples.subList(from, Math.min(examples.size(), from + config.microBatchSize()));
            MicroResult r = backward(micro, loss, tokens);
            lossSum += r.lossSum;
            entropySum += r.entropySum;
            r.diagnostics.forEach((k, v) -> diagnostics.merge(k, v, Double::sum));
        }
        return new Accumulated(lossSum, tokens, entropySum, diagnostics);
    }

    /** Forward + backward of one micro-batch; gradients add onto the parameters' .grad. */
    private MicroResult backward(List<TrainingExample> micro, Loss loss, long updateTokens) {
        SequenceBatch batch = SequenceBatch.of(
                micro.stream().map(TrainingExample::prompt).toList(),
                micro.stream().map(TrainingExample::completion).toList(),
                padId, model.spec().contextLength());
        Shape shape = new Shape(batch.rows(), batch.width());
        try (NDManager manager = model.newSubManager();
                NDScope scope = new NDScope();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            scope.suppressNotUsedWarning();
            NDList forward = TokenLogprobs.forward(model, manager, batch, config.temperature());
            NDArray logprobs = forward.get(0);
            NDArray mask = manager.create(batch.completionMask(), shape);
            NDArray advantages = manager.create(batch.spread(column(micro, TrainingExample::advantages)), shape);
            NDArray behaviour = hasBehaviour(micro)
                    ? manager.create(batch.spread(column(micro, TrainingExample::behaviourLogprobs)), shape)
                    : logprobs.stopGradient();
            LossInputs inputs = new LossInputs(logprobs, mask, advantages, behaviour, manager);
            NDArray summed = loss.sum(inputs);
            NDArray normalised = summed.div(inputs.constant(updateTokens));
            beforeBackward.run();
            collector.backward(normalised);
            double entropy = entropySum(forward.get(1), mask, config.temperature());
            return new MicroResult(summed.getFloat(), entropy, loss.diagnostics(inputs));
        }
    }

    /** Σ over masked tokens of the entropy of softmax(logits / temperature); no gradient. */
    private static double entropySum(NDArray logits, NDArray mask, double temperature) {
        NDArray scaled = logits.stopGradient();
        if (temperature != 1.0) {
            scaled = scaled.div((float) temperature);
        }
        NDArray logp = scaled.logSoftmax(-1);
        NDArray entropy = logp.exp().mul(logp).sum(new int[] {-1}).neg();
        return entropy.mul(mask).sum().getFloat();
    }

    private static boolean hasBehaviour(List<TrainingExample> micro) {
        boolean any = micro.stream().anyMatch(e -> e.behaviourLogprobs() != null);
        if (any && micro.stream().anyMatch(e -> e.behaviourLogprobs() == null)) {
            throw new IllegalArgumentException("a batch mixes examples with and without behaviour logprobs");
        }
        return any;
    }

    private static List<float[]> column(List<TrainingExample> micro,
            java.util.function.Function<TrainingExample, float[]> field) {
        List<float[]> out = new ArrayList<>(micro.size());
        for (TrainingExample e : micro) {
            float[] values = field.apply(e);
            out.add(values != null ? values : new float[e.completion().length]);
        }
        return out;
    }

    private static List<List<TrainingExample>> byGroup(List<TrainingExample> batch) {
        Map<String, List<TrainingExample>> groups = new LinkedHashMap<>();
        for (TrainingExample e : batch) {
            if (e.group() == null) {
                throw new IllegalArgumentException("learner.optimizer_step per_prompt needs every example's group");
            }
            groups.computeIfAbsent(e.group(), g -> new ArrayList<>()).add(e);
        }
        return new ArrayList<>(groups.values());
    }

    record Accumulated(double lossSum, long tokens, double entropySum, Map<String, Double> diagnostics) {}

    private record MicroResult(double lossSum, double entropySum, Map<String, Double> diagnostics) {}

    private record UpdateResult(double meanLoss, double gradNorm, boolean nonFinite, boolean zero, long tokens,
            double entropySum, Map<String, Double> diagnostics) {}

    /** Sums update results into a step result. */
    private static final class Accumulator {
        double loss;
        double gradNorm;
        int steps;
        int nonFinite;
        int zero;
        long tokens;
        double entropy;
        final Map<String, Double> diagnostics = new LinkedHashMap<>();

        void add(UpdateResult u) {
            loss += u.meanLoss();
            gradNorm += u.gradNorm();
            tokens += u.tokens();
            entropy += u.entropySum();
            if (u.nonFinite()) {
                nonFinite++;
            } else if (u.zero()) {
                zero++;
            } else {
                steps++;
            }
            u.diagnostics().forEach((k, v) -> diagnostics.merge(k, v, Double::sum));
        }

        StepResult result(int updates) {
            return new StepResult(loss / updates, gradNorm / updates, steps, nonFinite, zero, tokens,
                    entropy / tokens, diagnostics);
        }
    }
}
