package io.rollstream.types;

/**
 * One sampled completion of a problem, scored.
 *
 * @param tokens completion token ids (EOS last when it stopped)
 * @param logprobs behaviour log-probability of each token (the sampler's)
 * @param text decoded completion without EOS
 * @param reward verifier reward in [0, 1]
 * @param finishReason "stop" (EOS), "length" (max_new_tokens / context reached), or
 *     "scoring_failed: …" (the verifier threw; the error follows)
 * @param tokenRewards per-token rewards (distillation: teacher − student log-prob); null for RL
 */
public record Rollout(int[] tokens, float[] logprobs, String text, double reward, String finishReason,
        float[] tokenRewards) {

    public static final String STOP = "stop";
    public static final String LENGTH = "length";
    /** Prefix of the finish reason of a rollout whose verifier threw; the rest is the error. */
    public static final String SCORING_FAILED = "scoring_failed";

    public Rollout {
        if (tokens.length != logprobs.length) {
            throw new IllegalArgumentException("rollout tokens and logprobs differ in length");
        }
        if (tokenRewards != null && tokenRewards.length != tokens.length) {
            throw new IllegalArgumentException("rollout token rewards and tokens differ in length");
        }
    }

    /** Whether the verifier threw on this rollout (its reward is then 0 and never trained on). */
    public boolean scoringFailed() {
        return finishReason != null && finishReason.startsWith(SCORING_FAILED);
    }

    public boolean truncated() {
        return LENGTH.equals(finishReason);
    }

    /** The same rollout with per-token rewards attached. */
    public Rollout withTokenRewards(float[] rewards) {
        return new Rollout(tokens, logprobs, text, reward, finishReason, rewards);
    }
}
