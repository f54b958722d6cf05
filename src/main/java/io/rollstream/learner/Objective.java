package io.rollstream.learner;

/**
 * What the trainer minimises: a per-token {@link Loss}, plus an optional KL penalty to a frozen
 * reference policy, combined over an update's tokens as {@code aggregation} says.
 *
 * @param loss the per-token loss
 * @param aggregation how tokens and sequences are weighed
 * @param maxTokens L of {@link LossAggregation#SEQ_MEAN_TOKEN_SUM} ({@code rollout.max_new_tokens})
 * @param referenceKl the penalty to the reference policy, or null for none (then no reference
 *     model is needed)
 */
public record Objective(Loss loss, LossAggregation aggregation, int maxTokens, ReferenceKl referenceKl) {

    public Objective {
        if (aggregation == LossAggregation.SEQ_MEAN_TOKEN_SUM && maxTokens < 1) {
            throw new IllegalArgumentException("seq_mean_token_sum needs the token budget L >= 1, got " + maxTokens);
        }
    }

    /** {@code loss} averaged over tokens, without a reference penalty. */
    public static Objective of(Loss loss) {
        return new Objective(loss, LossAggregation.TOKEN_MEAN, 0, null);
    }

    /** Whether the trainer must score batches with the reference model. */
    public boolean needsReference() {
        return referenceKl != null;
    }
}
