package io.rollstream.learner;

/**
 * How the per-token losses of one optimizer update become one number ({@code learner.loss_aggregation}).
 * For {@code N} sequences in the loss with {@code n_i} tokens each and {@code L = rollout.max_new_tokens}:
 *
 * <ul>
 *   <li>{@code token_mean} (the default): {@code Σ_i Σ_t ℓ_it / Σ_i n_i} — every token weighs the
 *       same (DAPO's token-level loss, prime-rl's and today's default): a long answer is not
 *       down-weighted per token, and a long wrong one is not penalised less per token;
 *   <li>{@code seq_mean_token_sum}: {@code Σ_i Σ_t ℓ_it / (N · L)} — Dr. GRPO's constant normaliser:
 *       no division by the sequence's own length, so no length bias; the same scale as
 *       {@code token_mean} when every completion is {@code L} tokens long;
 *   <li>{@code seq_mean_token_mean}: {@code (1/N) Σ_i (1/n_i) Σ_t ℓ_it} — the original GRPO (and
 *       GSPO's per-sequence objective): each sequence weighs the same whatever its length.
 * </ul>
 */
public enum LossAggregation {
    TOKEN_MEAN,
    SEQ_MEAN_TOKEN_SUM,
    SEQ_MEAN_TOKEN_MEAN;

    /**
     * The weight of every token of each sequence.
     *
     * @param tokensInLoss tokens of each sequence that are in the loss (0: the sequence is out of it)
     * @param maxTokens L, the constant of {@code seq_mean_token_sum}
     * @return one weight per sequence (0 for a sequence out of the loss)
     */
    public double[] tokenWeights(int[] tokensInLoss, int maxTokens) {
        long tokens = 0;
        int sequences = 0;
        for (int n : tokensInLoss) {
            tokens += n;
            sequences += n > 0 ? 1 : 0;
        }
        double[] w = new double[tokensInLoss.length];
        for (int i = 0; i < w.length; i++) {
            int n = tokensInLoss[i];
            if (n == 0) {
                continue;
            }
            switch (this) {
                case TOKEN_MEAN:
                    w[i] = 1.0 / tokens;
                    break;
                case SEQ_MEAN_TOKEN_SUM:
                    w[i] = 1.0 / ((double) sequences * maxTokens);
                    break;
                default:
                    w[i] = 1.0 / ((double) sequences * n);
                    break;
            }
        }
        return w;
    }
}
