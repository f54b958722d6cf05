package io.rollstream.learner;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;

/**
 * Everything about the learner's objective, as it travels to the task manager; also the
 * {@code learner} section's objective keys (all but {@code maxNewTokens}, which is the rollout's).
 *
 * @param loss {@code learner.loss}: a loss name ({@code dppo}, {@code ppo_clip}, {@code gspo}, {@code cispo};
 *     default {@code dppo}) or a map with {@code name} and that loss's knobs ({@link LossConfig}); GRPO only
 * @param aggregation {@code learner.loss_aggregation}: {@code token_mean} (default), {@code seq_mean_token_sum}
 *     or {@code seq_mean_token_mean}
 * @param importanceCorrection the {@code learner.importance_correction} map: {@code truncate} ({@code none},
 *     {@code token}, {@code sequence}; default {@code token} for {@code reverse_kl}, {@code none} otherwise),
 *     {@code cap} (2.0), {@code mask} ({@code none}, {@code token}, {@code sequence}, {@code geometric}; default
 *     {@code none}), {@code mask_low} (0.5), {@code mask_high} (2.0)
 * @param klToReference the {@code learner.kl_to_reference} map: {@code coefficient} (0.0 = off),
 *     {@code estimator} ({@code k1}, {@code k2}, {@code k3}; default {@code k3})
 * @param overlongFiltering {@code learner.overlong_filtering}: truncated completions (finish reason
 *     {@code length}) stay in their group's baseline but out of the loss; default false
 * @param maxNewTokens {@code rollout.max_new_tokens}, L of {@code seq_mean_token_sum}
 */
public record LossSettings(
        LossConfig loss,
        @JsonProperty("loss_aggregation") LossAggregation aggregation,
        ImportanceCorrection.Config importanceCorrection,
        ReferenceKl.Config klToReference,
        boolean overlongFiltering,
        @JsonIgnore int maxNewTokens)
        implements Serializable {

    /** Today's defaults: dppo, token mean, no correction, no reference, nothing filtered. */
    public static LossSettings defaults() {
        return new LossSettings(
                LossConfig.defaults(),
                LossAggregation.TOKEN_MEAN,
                ImportanceCorrection.Config.none(),
                ReferenceKl.Config.off(),
                false,
                1);
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

    /** The same objective for completions of at most {@code tokens} tokens. */
    public LossSettings withMaxNewTokens(int tokens) {
        return new LossSettings(loss, aggregation, importanceCorrection, klToReference, overlongFiltering, tokens);
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
        return new Objective(
                base, aggregation, maxNewTokens, klToReference.enabled() ? new ReferenceKl(klToReference) : null);
    }
}
