package io.rollstream.learner;

import ai.djl.ndarray.NDArray;

/**
 * On-policy distillation by reverse KL, corrected for the sampler being behind. The sampler's
 * per-token reward is {@code teacher_logprob − behaviour_logprob} (carried in {@link
 * TrainingExample#advantages}). The learner re-centres it on its own policy and weighs each token by
 * the (truncated) importance ratio {@code w_t ≈ π/μ}:
 *
 * <pre>
 *   reward_t = teacher_t − sg(logp_t) = advantages_t + behaviour_logp_t − sg(logp_t)
 *   loss_t   = −keep_t · sg(w_t) · reward_t · logp_t
 * </pre>
 *
 * Sampling from μ, {@code E_μ[(π/μ)(log T − log π) ∇log π] = E_π[(log T − log π) ∇log π] =
 * −∇KL(π ‖ T)}: a stale batch gives the on-policy gradient in expectation (exactly while no ratio
 * exceeds the cap C; truncation trades that bias for bounded variance). On-policy ({@code π = μ})
 * it is the usual on-policy surrogate {@code −reward.detach() × logp}. {@code w} and {@code keep} come from the
 * importance correction (default for distillation: token-level truncation at C = 2).
 */
public final class ReverseKlLoss implements Loss {

    private final ImportanceCorrection correction;

    public ReverseKlLoss() {
        this(new ImportanceCorrection(ImportanceCorrection.Config.truncated(2.0)));
    }

    public ReverseKlLoss(ImportanceCorrection correction) {
        this.correction = correction;
    }

    @Override
    public NDArray perToken(LossInputs in) {
        NDArray reward = in.advantages().add(in.detachedLogRatio().neg());
        NDArray coefficient = correction.weight(in).mul(reward).mul(correction.keep(in));
        return in.logprobs().mul(coefficient).neg();
    }

    @Override
    public void addStats(LossInputs in, LossStats stats) {
        stats.addRatios(in);
        correction.addStats(in, stats);
    }

    @Override
    public String name() {
        return "reverse_kl";
    }
}
