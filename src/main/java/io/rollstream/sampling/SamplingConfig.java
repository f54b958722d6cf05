package io.rollstream.sampling;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.io.Serializable;

/**
 * How completions are drawn; also the {@code rollout} section's sampling keys (all but {@code greedy},
 * which is for evaluation only and no key).
 *
 * @param temperature softmax temperature (> 0); ignored when greedy
 * @param topP nucleus mass in (0, 1]; 1 keeps every token
 * @param topK keep only the k most likely tokens; 0 keeps every token
 * @param maxNewTokens upper bound on generated tokens per row (EOS included)
 * @param greedy take the most likely token (ties: the lowest id), for evaluation
 */
public record SamplingConfig(
        double temperature,
        double topP,
        int topK,
        int maxNewTokens,
        @JsonIgnore boolean greedy) implements Serializable {

    public SamplingConfig {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("rollout.temperature must be a finite number > 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("rollout.top_p must be in (0, 1], got " + topP);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("rollout.top_k must be >= 0 (0 disables it), got " + topK);
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("rollout.max_new_tokens must be >= 1, got " + maxNewTokens);
        }
    }

    /** Plain sampling at temperature 1 from the full distribution. */
    public static SamplingConfig sample(int maxNewTokens) {
        return new SamplingConfig(1.0, 1.0, 0, maxNewTokens, false);
    }

    /** Greedy decoding, for evaluation. */
    public static SamplingConfig greedy(int maxNewTokens) {
        return new SamplingConfig(1.0, 1.0, 0, maxNewTokens, true);
    }
}
