package io.rollstream.learner;

/** What the learner optimises. */
public enum Algorithm {
    /** Group-relative policy gradient on verifier rewards. */
    GRPO,
    /** On-policy distillation: per-token reward = teacher − student log-prob. */
    REVERSE_KL,
    /** Supervised fine-tuning on demonstrations. */
    SFT;

    /** The loss this algorithm trains with. */
    public Loss loss(PolicyGradientLoss.Config policyGradient) {
        switch (this) {
            case GRPO:
                return new PolicyGradientLoss(policyGradient);
            case REVERSE_KL:
                return new ReverseKlLoss();
            default:
                return new SftLoss();
        }
    }
}
