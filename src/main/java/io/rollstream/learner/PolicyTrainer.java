package io.rollstream.learner;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.annotation.JsonIgnore;
import io.rollstream.checkpoint.Adapter;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.Checkpoints;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.LoraModel;
import io.rollstream.model.SamplingTruncation;
import io.rollstream.model.SequenceBatch;
import io.rollstream.model.TensorSource;
import io.rollstream.model.TokenLogprobs;
import io.rollstream.tokenizer.TokenizerSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntToDoubleFunction;

/**
 * Trains a {@link LanguageModel} with any {@link Objective}: splits a batch into micro-batches,
 * accumulates their gradients (each token's loss weighted as the objective's {@link
 * LossAggregation} says over the whole update, so the sum is the gradient of one big batch), clips
 * to the global norm, guards against non-finite and all-zero gradients, and applies {@link AdamW}.
 * In {@code PER_PROMPT} mode each group of examples (the rollouts of one prompt) gets its own
 * accumulate-clip-step cycle.
 *
 * <p>Log-probabilities are those of the distribution the sampler drew from: logits over the
 * sampling temperature, restricted to its top-k / top-p set ({@link SamplingTruncation}); a sampled
 * token outside the learner's own kept set (a rounding difference at the cut) is left out of the
 * loss and counted. An objective with a KL penalty needs a frozen reference model ({@link
 * #useReference}), scored on the same batch without gradients.
 *
 * <p>Pure Java + DJL, no Flink. Only one instance may train at a time per JVM (DJL's gradient
 * collector is JVM-wide). Every forward's arrays live in an {@link NDScope} closed after backward,
 * which also keeps every input and constant alive until backward has read it.
 */
public final class PolicyTrainer {

    /** Keys a step's diagnostics carry beside the losses' own: phase times in seconds, the learning rate. */
    public static final String FORWARD_S = "forward_s";

    public static final String BACKWARD_S = "backward_s";
    public static final String OPTIMIZER_S = "optimizer_s";
    public static final String LEARNING_RATE = "learning_rate";

    /** When the optimizer steps. */
    public enum OptimizerStep {
        PER_BATCH,
        PER_PROMPT
    }

    /** Gradient norms above this are treated as corrupted rather than clipped. */
    static final double ABSURD_GRAD_NORM = 1e8;

    /**
     * The most bytes of float32 logits one chunk of the output head makes (each chunk also makes
     * its log-softmax and, in backward, two gradients of that size): rows are grouped up to this,
     * and a row wider than it forms a chunk of its own.
     */
    static final long HEAD_CHUNK_LOGITS_BYTES = 16L << 20;

    /**
     * The trainer's settings; the first, second and fourth are the {@code learner} section's keys, the
     * others the sampler's (no keys of their own).
     *
     * @param maxGradNorm global-norm clip threshold
     * @param microBatchSize rows per forward/backward pass
     * @param temperature logits are divided by it before log-softmax (the sampling temperature)
     * @param optimizerStep one update per batch or per prompt group
     * @param truncation the sampler's top-k / top-p, applied to the learner's distribution too
     */
    public record Config(
            double maxGradNorm,
            int microBatchSize,
            @JsonIgnore double temperature,
            OptimizerStep optimizerStep,
            @JsonIgnore SamplingTruncation truncation)
            implements Serializable {
        public static Config defaults() {
            return new Config(1.0, 64, 1.0, OptimizerStep.PER_BATCH);
        }

        /** Without top-k / top-p. */
        public Config(double maxGradNorm, int microBatchSize, double temperature, OptimizerStep optimizerStep) {
            this(maxGradNorm, microBatchSize, temperature, optimizerStep, SamplingTruncation.NONE);
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
            if (truncation == null) {
                truncation = SamplingTruncation.NONE;
            }
        }
    }

    private final LanguageModel model;
    private final AdamW optimizer;
    /** The phases of the step under way (accumulate alone, as tests call it, uses a throwaway one). */
    private PhaseTimes phases = new PhaseTimes();

    private final Config config;
    private final int padId;
    /** The frozen reference policy of a KL penalty, or null. */
    private LanguageModel reference;
    /** {@link #HEAD_CHUNK_LOGITS_BYTES}, or less in tests that make every row a chunk of its own. */
    private long headChunkBytes = HEAD_CHUNK_LOGITS_BYTES;
    /** Test hook run between forward and backward (e.g. to force a GC). */
    private Runnable beforeBackward = () -> {};

    public PolicyTrainer(LanguageModel model, AdamW optimizer, Config config, int padId) {
        this.model = model;
        this.optimizer = optimizer;
        this.config = config;
        this.padId = padId;
        model.setTrainable(true);
        GradientNorms.allocate(model.parameters().values());
    }

    /**
     * A trainer that continues exactly where {@code checkpoint} stopped: same weights, same optimizer
     * moments and step count. A weights-only checkpoint starts a fresh optimizer.
     */
    public static PolicyTrainer restore(
            Checkpoint checkpoint, AdamW.Config optimizer, Config config, int padId, Device device) {
        return restore(Checkpoints.model(checkpoint, device), checkpoint, optimizer, config, padId);
    }

    /** {@link #restore(Checkpoint, AdamW.Config, Config, int, Device)} on a model already built. */
    public static PolicyTrainer restore(
            LanguageModel model, Checkpoint checkpoint, AdamW.Config optimizer, Config config, int padId) {
        AdamW adam = new AdamW(optimizer, model.parameters());
        if (checkpoint.optimizer() != null) {
            adam.load(checkpoint.optimizer());
        }
        return new PolicyTrainer(model, adam, config, padId);
    }

    /**
     * Weights and optimizer state at learner step {@code step}, as a live view of the arrays: write it
     * (tensor by tensor, no copy of the whole model) before the trainer steps again. The weights are
     * the trainer's parameters: a LoRA model's adapters.
     *
     * @param adapter what a LoRA model's adapters adapt (the checkpoint it started from says), or null
     */
    public Checkpoint checkpoint(long step, TokenizerSpec tokenizer, Map<String, String> metadata, Adapter adapter) {
        if ((adapter != null) != (model instanceof LoraModel)) {
            throw new IllegalArgumentException(
                    "a checkpoint records an adapter exactly when the model has LoRA adapters");
        }
        return new Checkpoint(
                step,
                model.spec(),
                tokenizer,
                TensorSource.ofArrays(model.parameters()),
                optimizer.state(),
                metadata,
                adapter);
    }

    /** {@link #checkpoint(long, TokenizerSpec, Map, Adapter)} of a full model. */
    public Checkpoint checkpoint(long step, TokenizerSpec tokenizer, Map<String, String> metadata) {
        return checkpoint(step, tokenizer, metadata, null);
    }

    void setHeadChunkBytes(long bytes) {
        this.headChunkBytes = bytes;
    }

    void setBeforeBackward(Runnable hook) {
        this.beforeBackward = hook;
    }

    /**
     * The frozen policy a KL penalty is measured against; it never trains (the caller owns and
     * closes it).
     */
    public void useReference(LanguageModel frozen) {
        frozen.setTrainable(false);
        this.reference = frozen;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public LanguageModel model() {
        return model;
    }

    /** Trains on {@code batch} with {@code loss} averaged over tokens. */
    public StepResult step(List<TrainingExample> batch, Loss loss) {
        return step(batch, Objective.of(loss));
    }

    /** Trains on {@code batch} with {@code objective}: one optimizer update, or one per group. */
    public StepResult step(List<TrainingExample> batch, Objective objective) {
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("cannot train on an empty batch");
        }
        if (objective.needsReference() && reference == null) {
            throw new IllegalStateException("the objective penalises the KL to a reference policy"
                    + " (learner.kl_to_reference) but the trainer was given no reference model");
        }
        List<List<TrainingExample>> updates =
                config.optimizerStep() == OptimizerStep.PER_PROMPT ? byGroup(batch) : List.of(batch);
        phases = new PhaseTimes();
        double learningRate = optimizer.currentLearningRate(); // of the step's first update (warm-up moves it)
        Accumulator total = new Accumulator(phases);
        for (List<TrainingExample> update : updates) {
            total.add(update(update, objective));
        }
        StepResult result = total.result(updates.size());
        result.diagnostics().put(LEARNING_RATE, learningRate);
        return result;
    }

    /** Accumulates gradients over the micro-batches of one update, then clips and steps. */
    private UpdateResult update(List<TrainingExample> examples, Objective objective) {
        Accumulated acc = accumulate(examples, objective);
        long optimizerStart = System.nanoTime();
        var parameters = model.parameters().values();
        double norm = GradientNorms.globalNorm(parameters);
        boolean nonFinite = !Double.isFinite(acc.loss) || !Double.isFinite(norm) || norm > ABSURD_GRAD_NORM;
        boolean zero = !nonFinite && norm == 0;
        if (nonFinite || zero) {
            GradientNorms.zero(parameters);
        } else {
            GradientNorms.clip(parameters, norm, config.maxGradNorm());
            optimizer.update();
        }
        phases.optimizerNanos += System.nanoTime() - optimizerStart;
        return new UpdateResult(acc.loss, norm, nonFinite, zero, acc.tokens, acc.entropySum, acc.stats);
    }

    /** As {@link #accumulate(List, Objective)} for a loss averaged over tokens. */
    Accumulated accumulate(List<TrainingExample> examples, Loss loss) {
        return accumulate(examples, Objective.of(loss));
    }

    /**
     * Runs forward and backward over the micro-batches of one update; the parameters' gradients
     * then hold the gradient of the objective over all of {@code examples}.
     */
    Accumulated accumulate(List<TrainingExample> examples, Objective objective) {
        long tokens = 0;
        int[] tokensInLoss = new int[examples.size()];
        for (int i = 0; i < examples.size(); i++) {
            TrainingExample e = examples.get(i);
            tokens += e.completion().length;
            tokensInLoss[i] = e.inLoss() ? e.completion().length : 0;
        }
        double[] weights = objective.aggregation().tokenWeights(tokensInLoss, objective.maxTokens());
        double loss = 0;
        double entropySum = 0;
        LossStats stats = new LossStats();
        for (int from = 0; from < examples.size(); from += config.microBatchSize()) {
            int to = Math.min(examples.size(), from + config.microBatchSize());
            MicroResult r = backward(examples.subList(from, to), Arrays.copyOfRange(weights, from, to), objective);
            loss += r.loss;
            entropySum += r.entropySum;
            stats.add(r.stats);
        }
        return new Accumulated(loss, tokens, entropySum, stats);
    }

    /**
     * Forward + backward of one micro-batch; gradients add onto the parameters' .grad. The model's
     * body runs once over all rows (wide matrix products); its output head, the log-softmax over
     * the vocabulary and the loss run {@link #headRows} rows at a time, each chunk's backward right
     * after its forward, so at most one chunk's vocabulary-wide arrays exist at once. The head's
     * backward is written out ({@link OutputHeadGradient}): each chunk adds the output matrix's
     * gradient onto its .grad in slices, and its gradient with respect to the body's output into
     * one array, from which a single backward of the body completes the step. Splitting by whole
     * rows is exact: every loss is a sum over rows (a row is one sequence, as micro-batches already
     * assume).
     */
    private MicroResult backward(List<TrainingExample> micro, double[] weights, Objective objective) {
        long forwardStart = System.nanoTime();
        SequenceBatch batch = SequenceBatch.of(
                micro.stream().map(TrainingExample::prompt).toList(),
                micro.stream().map(TrainingExample::completion).toList(),
                padId,
                model.spec().contextLength());
        Shape shape = new Shape(batch.rows(), batch.width());
        try (NDManager manager = model.newSubManager();
                NDScope scope = new NDScope();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            scope.suppressNotUsedWarning();
            NDArray inputs = manager.create(batch.inputs(), shape);
            NDArray hidden = model.hiddenStates(inputs);
            NDArray hiddenGradient = hidden.zerosLike();
            NDArray referenceHidden =
                    objective.needsReference() ? reference.hiddenStates(inputs).stopGradient() : null;
            MicroInputs rows = new MicroInputs(
                    manager.create(batch.targets(), shape),
                    manager.create(batch.completionMask(), shape),
                    manager.create(
                            batch.spread(perToken(micro, i -> micro.get(i).inLoss() ? 1 : 0)), shape),
                    manager.create(batch.spread(perToken(micro, i -> weights[i])), shape),
                    manager.create(batch.spread(column(micro, TrainingExample::advantages)), shape),
                    hasBehaviour(micro)
                            ? manager.create(batch.spread(column(micro, TrainingExample::behaviourLogprobs)), shape)
                            : null);
            phases.forwardNanos += System.nanoTime() - forwardStart;
            MicroPass pass = new MicroPass(
                    manager, collector, objective, hidden.stopGradient(), hiddenGradient, referenceHidden, rows);
            MicroResult result = new MicroResult();
            int chunk = headRows(batch.width());
            for (int from = 0; from < batch.rows(); from += chunk) {
                headChunk(pass, new NDIndex("{}:{}", from, Math.min(batch.rows(), from + chunk)), result);
            }
            long bodyStart = System.nanoTime();
            JniUtils.backward((PtNDArray) hidden, (PtNDArray) hiddenGradient, false, false);
            phases.backwardNanos += System.nanoTime() - bodyStart;
            return result;
        }
    }

    /**
     * The head's logits of {@code hidden} as a leaf of the loss's graph: computed without one, so
     * backward stops at them and {@link OutputHeadGradient} carries the gradient on.
     */
    private NDArray headLogits(NDArray hidden) {
        JniUtils.setGradMode(false);
        NDArray logits;
        try {
            logits = model.head(hidden);
        } finally {
            JniUtils.setGradMode(true);
        }
        logits.setRequiresGradient(true);
        return logits;
    }

    /** Rows per chunk of the output head for sequences {@code width} tokens wide ({@link #HEAD_CHUNK_LOGITS_BYTES}). */
    int headRows(int width) {
        long rowBytes = (long) width * model.spec().vocabSize() * Float.BYTES;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, headChunkBytes / rowBytes));
    }

    /**
     * Forward of the head and the loss over some rows of a micro-batch, then their backward; adds
     * the loss, entropy and statistics to {@code result}. Everything the chunk makes is freed when
     * it returns.
     */
    private void headChunk(MicroPass pass, NDIndex range, MicroResult result) {
        long forwardStart = System.nanoTime();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDManager manager = pass.manager();
            Objective objective = pass.objective();
            MicroInputs rows = pass.rows().slice(range);
            NDArray hidden = pass.hidden().get(range);
            NDArray logits = headLogits(hidden);
            NDList forward =
                    TokenLogprobs.ofLogits(logits, rows.targets(), manager, config.temperature(), config.truncation());
            NDArray logprobs = forward.get(0);
            NDArray inLoss = rows.completion().mul(rows.inLoss());
            NDArray mask = inLoss.mul(forward.get(2));
            NDArray behaviour = rows.behaviour() != null ? rows.behaviour() : logprobs.stopGradient();
            NDArray referenceLogprobs = pass.referenceHidden() == null
                    ? null
                    : TokenLogprobs.ofLogits(
                                    reference.head(pass.referenceHidden().get(range)),
                                    rows.targets(),
                                    manager,
                                    config.temperature(),
                                    config.truncation())
                            .get(0)
                            .stopGradient();
            LossInputs inputs =
                    new LossInputs(logprobs, mask, rows.advantages(), behaviour, referenceLogprobs, manager);
            NDArray perToken = objective.loss().perToken(inputs);
            if (objective.needsReference()) {
                perToken = perToken.add(objective.referenceKl().perToken(inputs));
            }
            NDArray weighted = perToken.mul(rows.tokenWeights()).sum();
            beforeBackward.run();
            long backwardStart = System.nanoTime();
            pass.collector().backward(weighted);
            OutputHeadGradient.accumulate(
                    logits.getGradient(),
                    hidden,
                    model.outputMatrix(),
                    pass.hiddenGradient().get(range));
            phases.forwardNanos += backwardStart - forwardStart;
            phases.backwardNanos += System.nanoTime() - backwardStart;
            result.loss += weighted.getFloat();
            result.entropySum += entropySum(forward.get(1), rows.completion());
            objective.loss().addStats(inputs, result.stats);
            if (objective.needsReference()) {
                objective.referenceKl().addStats(inputs, result.stats);
            }
            result.stats.addOutsideSupport(inLoss.sub(mask).sum().getFloat());
        }
    }

    /**
     * Σ over masked tokens of the entropy of the sampling distribution, from its log-softmax as the
     * forward computed it ({@link TokenLogprobs#forward}: tempered, truncated), not a second one.
     * No gradient; p · log p is formed in place, so one vocabulary-sized temporary is made, not two.
     */
    private static double entropySum(NDArray logSoftmax, NDArray mask) {
        NDArray logp = logSoftmax.stopGradient();
        NDArray entropy = logp.exp().muli(logp).sum(new int[] {-1}).neg();
        return entropy.mul(mask).sum().getFloat();
    }

    private static boolean hasBehaviour(List<TrainingExample> micro) {
        boolean any = micro.stream().anyMatch(e -> e.behaviourLogprobs() != null);
        if (any && micro.stream().anyMatch(e -> e.behaviourLogprobs() == null)) {
            throw new IllegalArgumentException("a batch mixes examples with and without behaviour logprobs");
        }
        return any;
    }

    private static List<float[]> column(List<TrainingExample> micro, Function<TrainingExample, float[]> field) {
        List<float[]> out = new ArrayList<>(micro.size());
        for (TrainingExample e : micro) {
            float[] values = field.apply(e);
            out.add(values != null ? values : new float[e.completion().length]);
        }
        return out;
    }

    /** One value per example, repeated over its completion tokens. */
    private static List<float[]> perToken(List<TrainingExample> micro, IntToDoubleFunction value) {
        List<float[]> out = new ArrayList<>(micro.size());
        for (int i = 0; i < micro.size(); i++) {
            float[] values = new float[micro.get(i).completion().length];
            Arrays.fill(values, (float) value.applyAsDouble(i));
            out.add(values);
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

    /**
     * @param loss the objective's value over the update (its gradient is on the parameters)
     * @param tokens completion tokens of the update
     * @param entropySum Σ of the per-token entropy of the sampling distribution
     * @param stats the losses' token statistics
     */
    record Accumulated(double loss, long tokens, double entropySum, LossStats stats) {}

    /** Sums over the chunks of a micro-batch: the weighted loss, the entropy over completion tokens, the losses' statistics. */
    private static final class MicroResult {
        double loss;
        double entropySum;
        final LossStats stats = new LossStats();
    }

    /**
     * What every head chunk of one micro-batch shares: the body's output (detached) and the gradient
     * the chunks add to it, the reference's body output (or null), the per-token inputs.
     */
    private record MicroPass(
            NDManager manager,
            GradientCollector collector,
            Objective objective,
            NDArray hidden,
            NDArray hiddenGradient,
            NDArray referenceHidden,
            MicroInputs rows) {}

    /**
     * A micro-batch's per-token inputs, (rows, width) each: target ids, 1 on completion tokens, 1
     * on the rows in the loss, each token's weight in the update, advantages, and the behaviour
     * log-probs (null when the examples carry none).
     */
    private record MicroInputs(
            NDArray targets,
            NDArray completion,
            NDArray inLoss,
            NDArray tokenWeights,
            NDArray advantages,
            NDArray behaviour) {

        /** The same rows' inputs, {@code range} of them (views). */
        MicroInputs slice(NDIndex range) {
            return new MicroInputs(
                    targets.get(range),
                    completion.get(range),
                    inLoss.get(range),
                    tokenWeights.get(range),
                    advantages.get(range),
                    behaviour == null ? null : behaviour.get(range));
        }
    }

    private record UpdateResult(
            double loss,
            double gradNorm,
            boolean nonFinite,
            boolean zero,
            long tokens,
            double entropySum,
            LossStats stats) {}

    /** Sums update results into a step result. */
    /**
     * Where one step's time went, summed over its micro-batches and updates: forward passes (the
     * reference's included), backward passes, and the gradient norm, clipping and optimizer update.
     * On the CPU each operation has finished when its call returns, so the split is exact; with
     * asynchronous GPU kernels part of the forward's time may show under backward.
     */
    private static final class PhaseTimes {
        long forwardNanos;
        long backwardNanos;
        long optimizerNanos;

        void putInto(Map<String, Double> metrics) {
            metrics.put(FORWARD_S, forwardNanos / 1e9);
            metrics.put(BACKWARD_S, backwardNanos / 1e9);
            metrics.put(OPTIMIZER_S, optimizerNanos / 1e9);
        }
    }

    private static final class Accumulator {
        private final PhaseTimes phases;
        double loss;
        double gradNorm;
        int steps;
        int nonFinite;
        int zero;
        long tokens;
        double entropy;
        final LossStats stats = new LossStats();

        Accumulator(PhaseTimes phases) {
            this.phases = phases;
        }

        void add(UpdateResult u) {
            loss += u.loss();
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
            stats.add(u.stats());
        }

        StepResult result(int updates) {
            Map<String, Double> diagnostics = stats.metrics();
            phases.putInto(diagnostics);
            return new StepResult(
                    loss / updates, gradNorm / updates, steps, nonFinite, zero, tokens, entropy / tokens, diagnostics);
        }
    }
}
