package io.rollstream.sampling;

import io.rollstream.types.FinishReason;

/**
 * A generated continuation.
 *
 * @param tokens generated ids; ends with a stop id when {@code finishReason == STOP}
 * @param logprobs behaviour log-probability of each generated token under the tempered, untruncated
 *     distribution it was drawn from (temperature 1 for greedy decoding)
 * @param finishReason why generation stopped: {@code STOP} or {@code LENGTH} (never {@code SCORING_FAILED},
 *     which the rollout stage decides)
 */
public record Completion(int[] tokens, float[] logprobs, FinishReason finishReason) {
    public Completion {
        if (tokens.length != logprobs.length) {
            throw new IllegalArgumentException("tokens and logprobs differ in length");
        }
    }
}
