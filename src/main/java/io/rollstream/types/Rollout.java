package io.rollstream.types;

import java.util.Objects;

/**
 * One sampled completion of a problem, scored.
 *
 * <p>{@code finishReason} is not for use: it is where Flink's POJO serializer puts the finish reason
 * of a rollout in a savepoint written before the versioned state formats (main at ee02833 and
 * earlier keep batch assembly's waiting groups on that serializer, which restores a record field by
 * its name and can neither change its type nor be given a reader). The constructor turns that old
 * string ({@code "stop"}, {@code "length"} or {@code "scoring_failed: <error>"}) into {@code finish}
 * and {@code scoringError}, so it is null on every rollout in memory; build rollouts with the
 * seven-argument constructor.
 *
 * @param tokens completion token ids (EOS last when it stopped)
 * @param logprobs behaviour log-probability of each token (the sampler's)
 * @param text decoded completion without EOS
 * @param reward verifier reward in [0, 1]
 * @param finish why the completion ended ({@link FinishReason#STOP}, {@link FinishReason#LENGTH}), or
 *     {@link FinishReason#SCORING_FAILED} when the verifier threw on it
 * @param scoringError what the verifier threw ({@code "IllegalStateException: ..."}) when {@code finish}
 *     is {@link FinishReason#SCORING_FAILED}; null otherwise
 * @param tokenRewards per-token rewards (distillation: teacher − student log-prob); null for RL
 * @param finishReason the string form of savepoints written before the typed one, see above; null
 */
public record Rollout(
        int[] tokens,
        float[] logprobs,
        String text,
        double reward,
        FinishReason finish,
        String scoringError,
        float[] tokenRewards,
        String finishReason) {

    /** How {@code rollouts.jsonl} separates {@code scoring_failed} from the error. */
    private static final String ERROR_SEPARATOR = ": ";

    public Rollout {
        if (tokens.length != logprobs.length) {
            throw new IllegalArgumentException("rollout tokens and logprobs differ in length");
        }
        if (tokenRewards != null && tokenRewards.length != tokens.length) {
            throw new IllegalArgumentException("rollout token rewards and tokens differ in length");
        }
        if (finishReason != null) {
            if (finish != null || scoringError != null) {
                throw new IllegalArgumentException(
                        "a rollout has a typed finish reason or the string form of an old savepoint, not both");
            }
            String[] keyAndError = finishReason.split(ERROR_SEPARATOR, 2);
            finish = FinishReason.ofKey(keyAndError[0]);
            if (finish == FinishReason.SCORING_FAILED) {
                scoringError = keyAndError.length > 1 ? keyAndError[1] : "";
            } else if (keyAndError.length > 1) {
                throw new IllegalArgumentException("unknown finish reason '" + finishReason + "'");
            }
            finishReason = null;
        }
        Objects.requireNonNull(finish, "a rollout's finish reason must not be null");
        if ((finish == FinishReason.SCORING_FAILED) != (scoringError != null)) {
            throw new IllegalArgumentException("a rollout has a scoring error exactly when its finish reason is"
                    + " scoring_failed (finish " + finish.key() + ", error " + scoringError + ")");
        }
    }

    /** A rollout; {@code scoringError} is set exactly when {@code finish} is {@link FinishReason#SCORING_FAILED}. */
    public Rollout(
            int[] tokens,
            float[] logprobs,
            String text,
            double reward,
            FinishReason finish,
            String scoringError,
            float[] tokenRewards) {
        this(tokens, logprobs, text, reward, finish, scoringError, tokenRewards, null);
    }

    /**
     * The rollout with the finish reason of the string form ({@code "stop"}, {@code "length"}, {@code
     * "scoring_failed: <error>"}): how state written before the typed form is read.
     */
    public static Rollout ofStringForm(
            int[] tokens, float[] logprobs, String text, double reward, String finishReason, float[] tokenRewards) {
        return new Rollout(
                tokens,
                logprobs,
                text,
                reward,
                null,
                null,
                tokenRewards,
                Objects.requireNonNull(finishReason, "a stored rollout without a finish reason"));
    }

    /**
     * Always null: only Flink's restore of a savepoint from before the typed form fills this component,
     * and the constructor turns it into {@link #finish()} and {@link #scoringError()}; read those.
     *
     * @deprecated the string form of old savepoints, kept so that they restore
     */
    @Deprecated
    @Override
    public String finishReason() {
        return finishReason;
    }

    /** Whether the verifier threw on this rollout (its reward is then 0 and never trained on). */
    public boolean scoringFailed() {
        return finish == FinishReason.SCORING_FAILED;
    }

    public boolean truncated() {
        return finish == FinishReason.LENGTH;
    }

    /**
     * The finish reason as {@code rollouts.jsonl} writes it: {@code "stop"}, {@code "length"} or
     * {@code "scoring_failed: <error>"}.
     */
    public String finishText() {
        return scoringError == null ? finish.key() : finish.key() + ERROR_SEPARATOR + scoringError;
    }

    /** The same rollout with per-token rewards attached. */
    public Rollout withTokenRewards(float[] rewards) {
        return new Rollout(tokens, logprobs, text, reward, finish, scoringError, rewards);
    }
}
