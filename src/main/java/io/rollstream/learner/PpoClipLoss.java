package io.rollstream.learner;

import ai.djl.ndarray.NDArray;

/**
 * {@code learner.loss: ppo_clip}: PPO's clipped surrogate with DAPO's decoupled bounds
 * (clip-higher: ε_low 0.2, ε_high 0.28 by default), the ratio taken against the behaviour policy:
 *
 * <pre>
 *   r_t    = exp(logp_t − behaviour_logp_t)
 *   loss_t = −f_t · keep_t · min(r_t · A_t, clip(r_t, 1 − ε_low, 1 + ε_high) · A_t)
 * </pre>
 *
 * written as its two branches: where the clipped branch is the smaller ({@link
 * ClipRange#pessimisticClip}) the token contributes the constant {@code clip(r)·A} and no
 * gradient; elsewhere {@code r·A}, whose gradient is {@code r·A·∇logp}. {@code f} and {@code keep}
 * are the importance correction's truncation factor and mask.
 */
public final class PpoClipLoss implements Loss {

    private final ClipRange range;
    private final ImportanceCorrection correction;

    PpoClipLoss(ClipRange range, ImportanceCorrection correction) {
        this.range = range;
        this.correction = correction;
    }

    @Override
    public NDArray perToken(LossInputs in) {
        NDArray ratio = in.logprobs().sub(in.behaviourLogprobs()).exp();
        NDArray detached = ratio.stopGradient();
        NDArray clipped = range.pessimisticClip(detached, in.advantages());
        NDArray open = clipped.neg().add(1f);
        NDArray surrogate =
                ratio.mul(open).add(range.clip(detached).mul(clipped)).mul(in.advantages());
        return surrogate.mul(correction.factor(in)).mul(correction.keep(in)).neg();
    }

    @Override
    public void addStats(LossInputs in, LossStats stats) {
        stats.addRatios(in);
        NDArray ratio = in.detachedLogRatio().exp();
        stats.addClipped(range.pessimisticClip(ratio, in.advantages()).mul(correction.keep(in)));
        correction.addStats(in, stats);
    }

    @Override
    public String name() {
        return "ppo_clip";
    }
}
