package io.rollstream.learner;

import java.io.Serializable;

/**
 * Everything about the learner's objective, as it travels to the task manager.
 *
 * @param loss the policy-gradient loss ({@code learner.loss}; GRPO only)
 * @param aggregation {@code learner.loss_aggregation}
 * @param importanceCorrection {@code learner.importance_correction} (resolved: distillation defaults
 *     to token-level truncation at 2, GRPO to none)
 * @param klToReference {@code learner.kl_to_reference}
 * @param overlongFiltering {@code learner.overlong_filtering}: truncated completions (finish reason
 *     {@code length}) stay in their group's baseline but out of the loss
 * @param maxNewTokens {@code rollout.max_new_tokens}, L of {@code seq_mean_token_sum}
 */
public record LossSettings(LossConfig loss, LossAggregation aggregation,
        ImportanceCorrection.Config importanceCorrection, ReferenceKl.Config klToReference,
        boolean overlongFiltering, int maxNewTokens) implements Serializable {

    /** Today's defaults: dppo, token mean, no correction, no reference, nothing filtered. */
    public static LossSettings defaults() {
        return new LossSettings(LossConfig.defaults(), LossAggregation.TOKEN_MEAN, ImportanceCorrection.Config.none(),
                ReferenceKl.Config.off(), false, 1);
    }

    public LossSettings {
        loss = loss == null ? LossConfig.defaults() : loss;
        aggregation = aggregation == null ? LossAggregation.TOKEN_MEAN : aggregation;
        importanceCorrection = importanceCorrection == null ? ImportanceCorrection.Config.none() : importanceCorrection;
        klToReference = klToReference == null ? ReferenceKl.Config.off() : klToReference;
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("rollout.max_new_tokens must be >= 1, got " + maxNewTokens);
        }
    }

    /** The objective {@code algorithm} trains with. */
    public Objective objective(Algorithm algorithm) {
        ImportanceCorrection correction = new ImportanceCorrection(importanceCorrection);
        Loss base;
        switch (algorithm) {
            case GRPO:
                base = loss.create(correction);
                break;
            case REVERSE_KL:
                base = new ReverseKlLoss(correction);
                break;
            default:
                base = new SftLoss();
                break;
        }
        return new Objective(base, aggregation, maxNewTokens,
                klToReference.enabled() ? new ReferenceKl(klToReference) : null);
    }
}
