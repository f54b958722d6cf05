package io.rollstream.learner;

import io.rollstream.device.DeviceSetting;
import io.rollstream.policy.VersionRetention;
import java.io.Serializable;

/**
 * The learner's knobs, as they travel to the task manager.
 *
 * @param algorithm what to optimise
 * @param optimizer AdamW settings
 * @param trainer accumulation, clipping, temperature, stepping mode
 * @param loss the objective: policy-gradient loss, aggregation, importance correction, KL to the
 *     reference, overlong filtering
 * @param maxSteps learner steps of the run (the run is finished after step maxSteps − 1)
 * @param problemsPerEpoch size of the fixed problem set read in epochs (0 when unknown or endless): when
 *     known, distillation logs the reverse KL of every completed epoch ({@link EpochKl})
 * @param maxBadSteps consecutive steps without an applied update (non-finite or zero gradients)
 *     after which the learner fails the job ({@code learner.max_bad_steps})
 * @param stateInlineMaxBytes largest learner state (weights + optimizer) kept in Flink state;
 *     a larger one goes to a file referenced from it ({@code job.state_inline_max_mb})
 * @param retention which published policy versions the learner keeps in the store
 *     ({@code policy_store.keep_last}, {@code policy_store.keep_evaluated})
 * @param device where the learner trains ({@code learner.device}): its weights, gradients and AdamW
 *     state, all float32, live there
 */
public record LearnerSettings(
        Algorithm algorithm,
        AdamW.Config optimizer,
        PolicyTrainer.Config trainer,
        LossSettings loss,
        long maxSteps,
        int problemsPerEpoch,
        int maxBadSteps,
        long stateInlineMaxBytes,
        VersionRetention retention,
        DeviceSetting device)
        implements Serializable {

    /** Default for {@code learner.max_bad_steps}. */
    public static final int DEFAULT_MAX_BAD_STEPS = 5;
    /** Default for {@code job.state_inline_max_mb}, in bytes. */
    public static final long DEFAULT_STATE_INLINE_MAX_BYTES = 64L << 20;

    public LearnerSettings {
        device = device == null ? DeviceSetting.AUTO : device;
    }

    /**
     * Over an endless (or unknown) problem set, with the default bad-step limit and inline state
     * size, keeping every version, on any device; the {@code with*} methods change one of those.
     */
    public static LearnerSettings of(
            Algorithm algorithm,
            AdamW.Config optimizer,
            PolicyTrainer.Config trainer,
            LossSettings loss,
            long maxSteps) {
        return new LearnerSettings(
                algorithm,
                optimizer,
                trainer,
                loss,
                maxSteps,
                0,
                DEFAULT_MAX_BAD_STEPS,
                DEFAULT_STATE_INLINE_MAX_BYTES,
                VersionRetention.KEEP_ALL,
                DeviceSetting.AUTO);
    }

    /** The same settings over a fixed problem set of {@code problems} read in epochs. */
    public LearnerSettings withProblemsPerEpoch(int problems) {
        return new LearnerSettings(
                algorithm,
                optimizer,
                trainer,
                loss,
                maxSteps,
                problems,
                maxBadSteps,
                stateInlineMaxBytes,
                retention,
                device);
    }

    /** The same settings with another version retention. */
    public LearnerSettings withRetention(VersionRetention other) {
        return new LearnerSettings(
                algorithm,
                optimizer,
                trainer,
                loss,
                maxSteps,
                problemsPerEpoch,
                maxBadSteps,
                stateInlineMaxBytes,
                other,
                device);
    }

    /** The same settings on another device. */
    public LearnerSettings withDevice(DeviceSetting other) {
        return new LearnerSettings(
                algorithm,
                optimizer,
                trainer,
                loss,
                maxSteps,
                problemsPerEpoch,
                maxBadSteps,
                stateInlineMaxBytes,
                retention,
                other);
    }
}
