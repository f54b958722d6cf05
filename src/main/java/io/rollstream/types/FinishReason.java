package io.rollstream.types;

import java.util.Locale;

/**
 * Why a completion ended, or why its score is missing: the sampler decides {@link #STOP} or {@link
 * #LENGTH}; the rollout stage turns a completion whose verifier threw into {@link #SCORING_FAILED}
 * (the error is the {@link Rollout}'s {@code scoringError}). Written as its {@link #key()} to
 * {@code rollouts.jsonl}.
 */
public enum FinishReason {
    /** The model produced a stop id, one of its EOS ids (the last token of the completion). */
    STOP,
    /** max_new_tokens or the model's context length was reached first. */
    LENGTH,
    /** The verifier threw on the completion: its reward is 0 and it is never trained on. */
    SCORING_FAILED;

    /** The snake_case name in {@code rollouts.jsonl}: {@code stop}, {@code length}, {@code scoring_failed}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The reason whose {@link #key()} is {@code key}; an unknown key is refused, naming it. */
    public static FinishReason ofKey(String key) {
        for (FinishReason r : values()) {
            if (r.key().equals(key)) {
                return r;
            }
        }
        throw new IllegalArgumentException(
                "unknown finish reason '" + key + "': expected stop, length or scoring_failed");
    }
}
