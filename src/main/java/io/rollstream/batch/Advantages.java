package io.rollstream.batch;

import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;
import java.io.Serializable;

/**
 * Group-relative advantages ({@code buffer.advantage}) of a group's rewards {@code r_1 … r_G}, after
 * the optional soft overlong punishment is added to each reward:
 *
 * <ul>
 *   <li>{@code group_mean} (the default): {@code A_i = r_i − mean(r)};
 *   <li>{@code group_mean_std} (GRPO as published): {@code (r_i − mean(r)) / (std(r) + 1e-6)}, with
 *       the population standard deviation;
 *   <li>{@code rloo} (REINFORCE leave-one-out): {@code A_i = r_i − (1/(G−1)) Σ_{j≠i} r_j
 *       = G/(G−1) · (r_i − mean(r))}, the baseline independent of the sample it scores (G ≥ 2);
 *   <li>{@code dr_grpo}: Dr. GRPO's advantage, {@code r_i − mean(r)} without the std (the same
 *       numbers as {@code group_mean}; its other half, no per-sequence length normaliser, is
 *       {@code learner.loss_aggregation}, and the config check refuses it with
 *       {@code seq_mean_token_mean}).
 * </ul>
 *
 * <p>Invariants: one advantage per reward; the advantages of a group sum to ~0; a group whose
 * (shaped) rewards are all equal gets advantages that are exactly 0 (not a rounding residue such as
 * 1e-17), so the zero-advantage filter recognises it.
 */
public final class Advantages {

    /** Added to the std before dividing, so a near-uniform group does not blow up. */
    public static final double STD_EPSILON = 1e-6;

    /** How advantages are computed from a group's rewards. */
    public enum Estimator {
        GROUP_MEAN,
        GROUP_MEAN_STD,
        RLOO,
        DR_GRPO
    }

    /**
     * DAPO's soft overlong punishment ({@code buffer.soft_overlong_punishment}), added to the reward
     * of a completion of {@code |y|} tokens (EOS included) with {@code L_max} = {@code
     * rollout.max_new_tokens} and {@code L_cache} = {@code cacheTokens}:
     * {@code 0} for {@code |y| ≤ L_max − L_cache}, {@code ((L_max − L_cache) − |y|) / L_cache} up to
     * {@code L_max}, {@code −1} beyond — all times {@code penalty}.
     *
     * @param cacheTokens L_cache, in [1, L_max)
     * @param penalty scale of the punishment, > 0 (DAPO: 1)
     */
    public record SoftOverlongPunishment(int cacheTokens, double penalty) implements Serializable {

        public SoftOverlongPunishment {
            if (cacheTokens < 1) {
                throw new IllegalArgumentException(
                        "buffer.soft_overlong_punishment.cache_tokens must be >= 1, got " + cacheTokens);
            }
            if (!(penalty > 0) || Double.isInfinite(penalty)) {
                throw new IllegalArgumentException("buffer.soft_overlong_punishment.penalty must be a finite number > 0"
                        + " (DAPO uses 1.0), got " + penalty);
            }
        }

        /** The (non-positive) reward added to a completion of {@code length} tokens. */
        public double reward(int length, int maxTokens) {
            int free = maxTokens - cacheTokens;
            if (length <= free) {
                return 0;
            }
            double shaped = length <= maxTokens ? (double) (free - length) / cacheTokens : -1;
            return penalty * shaped;
        }
    }

    /**
     * How a group's advantages are computed.
     *
     * @param estimator {@code buffer.advantage}
     * @param punishment the soft overlong punishment, or null for none
     * @param maxTokens L_max, {@code rollout.max_new_tokens}
     */
    public record Config(Estimator estimator, SoftOverlongPunishment punishment, int maxTokens)
            implements Serializable {

        /** Today's default: reward minus the group mean, no shaping. */
        public static final Config GROUP_MEAN = new Config(Estimator.GROUP_MEAN, null, 1);

        public Config {
            estimator = estimator == null ? Estimator.GROUP_MEAN : estimator;
            if (punishment != null && punishment.cacheTokens() >= maxTokens) {
                throw new IllegalArgumentException("buffer.soft_overlong_punishment.cache_tokens ("
                        + punishment.cacheTokens() + ") must be below rollout.max_new_tokens (" + maxTokens + ")");
            }
        }
    }

    private Advantages() {}

    /** Advantages of a scored group's rollouts; float[G], in rollout order. */
    public static float[] of(ScoredGroup group, Config config) {
        return of(group.rollouts(), config);
    }

    /** Advantages of a group's rollouts; float[G], in rollout order. */
    public static float[] of(Rollout[] rollouts, Config config) {
        double[] rewards = new double[rollouts.length];
        for (int i = 0; i < rewards.length; i++) {
            rewards[i] = rollouts[i].reward();
        }
        if (config.punishment() != null) {
            for (int i = 0; i < rewards.length; i++) {
                rewards[i] += config.punishment().reward(rollouts[i].tokens().length, config.maxTokens());
            }
        }
        return compute(rewards, config.estimator());
    }

    /** {@code group_mean} or {@code group_mean_std} advantages of a group, without reward shaping. */
    public static float[] of(ScoredGroup group, boolean divideByStd) {
        return groupRelative(group.rewards(), divideByStd);
    }

    /**
     * @param rewards one reward per rollout, G ≥ 1 (G ≥ 2 for {@code rloo})
     * @param estimator how the baseline (and scale) are chosen
     * @return float[G] advantages
     */
    public static float[] compute(double[] rewards, Estimator estimator) {
        if (rewards.length == 0) {
            throw new IllegalArgumentException("a group needs at least one reward");
        }
        if (estimator == Estimator.RLOO && rewards.length < 2) {
            throw new IllegalArgumentException("buffer.advantage rloo needs at least 2 rollouts per group");
        }
        float[] out = new float[rewards.length];
        if (allEqual(rewards)) {
            return out; // exactly zero: (r − mean) would otherwise keep the mean's rounding error
        }
        double mean = 0;
        for (double r : rewards) {
            mean += r;
        }
        mean /= rewards.length;
        double scale = 1.0;
        if (estimator == Estimator.GROUP_MEAN_STD) {
            double var = 0;
            for (double r : rewards) {
                var += (r - mean) * (r - mean);
            }
            scale = Math.sqrt(var / rewards.length) + STD_EPSILON;
        }
        int g = rewards.length;
        for (int i = 0; i < g; i++) {
            double advantage = estimator == Estimator.RLOO
                    ? rewards[i] - (mean * g - rewards[i]) / (g - 1)
                    : (rewards[i] - mean) / scale;
            out[i] = (float) advantage;
        }
        return out;
    }

    /** {@code group_mean} or {@code group_mean_std} advantages (the two estimators before issue 16). */
    public static float[] groupRelative(double[] rewards, boolean divideByStd) {
        return compute(rewards, divideByStd ? Estimator.GROUP_MEAN_STD : Estimator.GROUP_MEAN);
    }

    private static boolean allEqual(double[] rewards) {
        for (double r : rewards) {
            if (r != rewards[0]) {
                return false;
            }
        }
        return true;
    }
}
