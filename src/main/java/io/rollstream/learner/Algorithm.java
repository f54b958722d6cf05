package io.rollstream.learner;

/** What the learner optimises; the loss of each is built by {@link LossSettings#objective}. */
public enum Algorithm {
    /** Group-relative policy gradient on verifier rewards. */
    GRPO,
    /** On-policy distillation: per-token reward = teacher − student log-prob. */
    REVERSE_KL,
    /** Supervised fine-tuning on demonstrations. */
    SFT
}
