package io.rollstream.learner;

import ai.djl.Device;
import io.rollstream.checkpoint.BaseModels;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.Checkpoints;
import io.rollstream.model.LanguageModel;
import io.rollstream.tokenizer.Tokenizers;
import io.rollstream.types.Rollout;
import io.rollstream.types.TrainBatch;
import io.rollstream.types.TrainGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The embedded learner without Flink: turns a training batch into examples, takes one step with
 * the configured algorithm, and hands out its full state (for checkpoints) and its current policy
 * (for the policy store). Its step count is the version of the weights it holds.
 *
 * <p>With a KL penalty to the reference policy ({@code learner.kl_to_reference}) it holds a second,
 * frozen model: the run's initial policy (version 0), rebuilt from that checkpoint whenever the
 * learner is (it is never part of the learner's state, and costs one more copy of the weights,
 * without gradients or optimizer moments).
 */
public final class Learner implements AutoCloseable {

    private final LearnerSettings settings;
    private final PolicyTrainer trainer;
    private final Objective objective;
    private final LanguageModel reference;
    /** The base models of LoRA adapters, shared by the policy and the reference. */
    private final BaseModels bases;

    private final Checkpoint start;
    private long step;

    /** Continues from {@code start}, which must be version 0 when the objective needs the reference. */
    public Learner(LearnerSettings settings, Checkpoint start, Device device) {
        this(settings, start, null, device);
    }

    /**
     * Continues from {@code start}: weights, optimizer state when present, and step.
     *
     * @param initial the run's version 0, the reference of a KL penalty; null when there is none, or
     *     when {@code start} is version 0 itself
     */
    public Learner(LearnerSettings settings, Checkpoint start, Checkpoint initial, Device device) {
        this.settings = settings;
        this.start = start;
        int padId = Tokenizers.create(start.tokenizer()).padId();
        this.bases = new BaseModels(device);
        this.trainer = PolicyTrainer.restore(model(start), start, settings.optimizer(), settings.trainer(), padId);
        this.objective = settings.loss().objective(settings.algorithm());
        if (objective.needsReference()) {
            Checkpoint frozen = initial != null ? initial : start;
            if (frozen.step() != 0) {
                throw new IllegalArgumentException("learner.kl_to_reference needs the run's initial policy (version 0)"
                        + " as its reference; the learner was given version " + frozen.step());
            }
            this.reference = model(frozen);
            trainer.useReference(reference);
        } else {
            this.reference = null;
        }
        this.step = start.step();
    }

    private LanguageModel model(Checkpoint checkpoint) {
        try {
            return Checkpoints.model(checkpoint, bases);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** Steps taken so far = the version of the current weights. */
    public long step() {
        return step;
    }

    public LanguageModel model() {
        return trainer.model();
    }

    /** Trains on batch {@code step}; afterwards the weights are version {@code step + 1}. */
    public StepResult train(TrainBatch batch) {
        if (batch.step() != step) {
            throw new IllegalStateException("learner at step " + step + " received the batch of step " + batch.step()
                    + ": a batch was lost or repeated");
        }
        StepResult result = trainer.step(examples(batch), objective);
        step++;
        return result;
    }

    private List<TrainingExample> examples(TrainBatch batch) {
        List<TrainingExample> out = new ArrayList<>(batch.rollouts());
        for (TrainGroup g : batch.groups()) {
            Rollout[] rollouts = g.group().rollouts();
            for (int i = 0; i < rollouts.length; i++) {
                Rollout r = rollouts[i];
                float[] advantages = settings.algorithm() == Algorithm.REVERSE_KL
                        ? tokenRewards(g, r)
                        : TrainingExample.broadcast(g.advantages()[i], r.tokens().length);
                boolean inLoss = !(settings.loss().overlongFiltering() && r.truncated());
                out.add(new TrainingExample(
                        g.group().promptTokens(),
                        r.tokens(),
                        advantages,
                        r.logprobs(),
                        g.group().groupId(),
                        inLoss));
            }
        }
        return out;
    }

    /** Distillation trains on the teacher's per-token rewards; a rollout without them never met the teacher. */
    private static float[] tokenRewards(TrainGroup g, Rollout r) {
        if (r.tokenRewards() == null) {
            throw new IllegalStateException(
                    "learner.algorithm reverse_kl got group " + g.group().groupId()
                            + " without per-token rewards: the teacher-scoring stage must run between rollout and batch"
                            + " assembly");
        }
        return r.tokenRewards();
    }

    /**
     * Everything needed to continue exactly: weights, optimizer, step — a live view of the learner's
     * arrays, to write before the next {@link #train}.
     */
    public Checkpoint checkpoint(Map<String, String> metadata) {
        return trainer.checkpoint(step, start.tokenizer(), metadata, start.adapter());
    }

    /** The current policy, weights only, as version {@link #step()} (a live view, as {@link #checkpoint}). */
    public Checkpoint policy() {
        return checkpoint(start.metadata()).weightsOnly();
    }

    public LearnerSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        trainer.model().close();
        if (reference != null) {
            reference.close();
        }
        bases.close();
    }
}
