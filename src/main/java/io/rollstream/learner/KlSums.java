package io.rollstream.learner;

import io.rollstream.types.Rollout;
import io.rollstream.types.TrainBatch;
import io.rollstream.types.TrainGroup;

/**
 * Token sums of the reverse KL {@code KL(student ‖ teacher)} as the teacher stage measured it: per
 * completion token, {@code student_logprob − teacher_logprob}, which is minus the token's reward.
 * Sums rather than means, so pieces (rollouts, groups, batches, epochs) add up exactly.
 */
public record KlSums(double sum, double sumOfSquares, long tokens) {

    public static final KlSums ZERO = new KlSums(0, 0, 0);

    /** The rollout's per-token KL; zero tokens when it carries no per-token rewards (RL, not distillation). */
    public static KlSums of(Rollout r) {
        float[] rewards = r.tokenRewards();
        if (rewards == null) {
            return ZERO;
        }
        double sum = 0;
        double squares = 0;
        for (float reward : rewards) {
            double kl = -reward;
            sum += kl;
            squares += kl * kl;
        }
        return new KlSums(sum, squares, rewards.length);
    }

    /** Every rollout of the group. */
    public static KlSums of(TrainGroup g) {
        KlSums total = ZERO;
        for (Rollout r : g.group().rollouts()) {
            total = total.plus(of(r));
        }
        return total;
    }

    /** Every rollout of the batch. */
    public static KlSums of(TrainBatch batch) {
        KlSums total = ZERO;
        for (TrainGroup g : batch.groups()) {
            total = total.plus(of(g));
        }
        return total;
    }

    public KlSums plus(KlSums other) {
        return new KlSums(sum + other.sum, sumOfSquares + other.sumOfSquares, tokens + other.tokens);
    }

    /** Mean per-token KL (NaN without tokens). */
    public double mean() {
        return tokens == 0 ? Double.NaN : sum / tokens;
    }

    /** Population standard deviation of the per-token KL values (NaN without tokens). */
    public double std() {
        if (tokens == 0) {
            return Double.NaN;
        }
        double m = mean();
        return Math.sqrt(Math.max(0, sumOfSquares / tokens - m * m));
    }
}
