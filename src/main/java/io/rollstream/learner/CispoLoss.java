package io.rollstream.learner;

import ai.djl.ndarray.NDArray;

/**
 * {@code learner.loss: cispo} (MiniMax-M1, 2025): REINFORCE with a clipped, stop-gradient importance
 * weight on every token's log-probability, so no token loses its gradient (PPO's clip drops the
 * gradient of tokens outside the trust region; CISPO only bounds their weight):
 *
 * <pre>
 *   r_t    = exp(logp_t − behaviour_logp_t)
 *   loss_t = −sg(clip(r_t, 1 − ε_low, 1 + ε_high)) · A_t · logp_t
 * </pre>
 *
 * Defaults ε_low 1.0 (no lower bound: MiniMax-M1 "did not impose a lower bound … by setting
 * ε_low to a large value") and ε_high 0.28; "clipped" in the metrics counts tokens whose weight was
 * clipped. The importance correction may mask (its truncation is refused by the config check: the
 * clip is itself a truncation).
 */
public final class CispoLoss implements Loss {

    private final ClipRange range;
    private final ImportanceCorrection correction;

    CispoLoss(ClipRange range, ImportanceCorrection correction) {
        this.range = range;
        this.correction = correction;
    }

    @Override
    public NDArray perToken(LossInputs in) {
        NDArray weight = range.clip(in.detachedLogRatio().exp());
        return in.logprobs()
                .mul(weight.mul(in.advantages()).mul(correction.keep(in)))
                .neg();
    }

    @Override
    public void addStats(LossInputs in, LossStats stats) {
        stats.addRatios(in);
        stats.addClipped(range.outside(in.detachedLogRatio().exp()).mul(correction.keep(in)));
        correction.addStats(in, stats);
    }

    @Override
    public String name() {
        return "cispo";
    }
}
