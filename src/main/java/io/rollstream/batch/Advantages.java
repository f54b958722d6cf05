package io.rollstream.batch;

import io.rollstream.types.ScoredGroup;

/**
 * Group-relative advantages (GRPO): {@code A_i = r_i − mean(r)}, optionally divided by
 * {@code std(r) + 1e-6} where std is the population standard deviation of the group's rewards.
 *
 * <p>Invariants: one advantage per reward; the advantages of a group sum to ~0; a group whose
 * rewards are all equal gets advantages that are exactly 0 (not a rounding residue such as 1e-17),
 * so the zero-advantage filter recognises it.
 */
public final class Advantages {

    /** Added to the std before dividing, so a near-uniform group does not blow up. */
    public static final double STD_EPSILON = 1e-6;

    private Advantages() {}

    /** Advantages of a scored group's rollout rewards; float[G], in rollout order. */
    public static float[] of(ScoredGroup group, boolean divideByStd) {
        return groupRelative(group.rewards(), divideByStd);
    }

    /**
     * @param rewards one reward per rollout, G ≥ 1
     * @param divideByStd whether to divide by (population std + {@link #STD_EPSILON})
     * @return float[G] advantages
     */
    public static float[] groupRelative(double[] rewards, boolean divideByStd) {
        if (rewards.length == 0) {
            throw new IllegalArgumentException("a group needs at least one reward");
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
        if (divideByStd) {
            double var = 0;
            for (double r : rewards) {
                var += (r - mean) * (r - mean);
            }
            scale = Math.sqrt(var / rewards.length) + STD_EPSILON;
        }
        for (int i = 0; i < rewards.length; i++) {
            out[i] = (float) ((rewards[i] - mean) / scale);
        }
        return out;
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
