package io.rollstream.learner;

import ai.djl.ndarray.NDArray;

/**
 * {@code learner.loss: gspo} (Group Sequence Policy Optimization, Zheng et al. 2025): one ratio per
 * sequence, the geometric mean of its token ratios, clipped (ε 3e-4 / 4e-4 by default, the paper's):
 *
 * <pre>
 *   s_i    = exp( (1/|o_i|) Σ_t (logp_t − behaviour_logp_t) )
 *   loss_i = −min(s_i · A_i, clip(s_i, 1 − ε_low, 1 + ε_high) · A_i)
 * </pre>
 *
 * Written per token as the paper's GSPO-token with identical advantages, {@code s_i,t =
 * sg(s_i) · π_t / sg(π_t)}: every token of a sequence carries the value {@code s_i} and the
 * gradient {@code s_i · A_i · ∇logp_t}, so with {@code loss_aggregation: seq_mean_token_mean}
 * (the paper's (1/G) Σ_i) the gradient is exactly GSPO's {@code s_i · A_i · (1/|o_i|) Σ_t ∇logp_t}.
 * A clipped sequence loses its gradient as a whole. The importance correction may mask (its
 * truncation is refused by the config check: the clip already bounds {@code s_i} tightly).
 */
public final class GspoLoss implements Loss {

    private final ClipRange range;
    private final ImportanceCorrection correction;

    GspoLoss(ClipRange range, ImportanceCorrection correction) {
        this.range = range;
        this.correction = correction;
    }

    /** {@code s_i} broadcast over the row's tokens, detached. */
    private static NDArray sequenceRatio(LossInputs in) {
        NDArray logRatio = in.detachedLogRatio().mul(in.mask());
        return in.rowSum(logRatio).div(in.rowTokens()).exp().broadcast(logRatio.getShape());
    }

    @Override
    public NDArray perToken(LossInputs in) {
        NDArray s = sequenceRatio(in);
        NDArray logp = in.logprobs();
        NDArray tokenRatio = s.mul(logp.sub(logp.stopGradient()).exp()); // value s_i, gradient s_i·∇logp
        NDArray clipped = range.pessimisticClip(s, in.advantages());
        NDArray open = clipped.neg().add(1f);
        NDArray surrogate = tokenRatio.mul(open).add(range.clip(s).mul(clipped)).mul(in.advantages());
        return surrogate.mul(correction.keep(in)).neg();
    }

    @Override
    public void addStats(LossInputs in, LossStats stats) {
        stats.addRatios(in);
        stats.addClipped(
                range.pessimisticClip(sequenceRatio(in), in.advantages()).mul(correction.keep(in)));
        correction.addStats(in, stats);
    }

    @Override
    public String name() {
        return "gspo";
    }
}
