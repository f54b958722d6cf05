package io.rollstream.rollout;

import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;

/**
 * How likely a group of a problem is to be <em>useful</em> — to survive the zero-advantage and
 * difficulty filters, i.e. not to have every rollout right or every rollout wrong — for adaptive
 * oversampling. Pure Java.
 *
 * <p>Each problem's pass rate {@code p} has a Beta posterior: a prior from the task's running pass
 * rate, updated with the rewards of the problem's own groups (a reward is clamped to [0, 1] and
 * counts as that fraction of a pass). The chance that a group of {@code G} rollouts is useful is
 * then the posterior mean of {@code 1 − pᴳ − (1 − p)ᴳ}, which has a closed form:
 * {@code E[pᴳ] = Π_{i<G} (α + i) / (α + β + i)}.
 *
 * <p>The prior is fitted by moments to the task's recent groups (an exponential average over about
 * {@value #WINDOW} groups of each group's mean reward and its square): its mean is the task's pass
 * rate, and its spread is the variance of the group means less the binomial noise of G rollouts, so
 * an unseen problem is expected to be as useful as the task's recent problems were. Before any
 * group has come back the prior is uniform.
 */
public final class PassRates {

    /** Groups the task's running averages span (their exponential weight). */
    static final int WINDOW = 200;
    /** Floor of a group's chance of being useful: a problem is never taken as certainly useless. */
    static final double MIN_USEFUL = 1e-3;

    private final int groupSize;
    private long groups;
    private double mean;
    private double meanSquare;

    /**
     * @param groupSize rollouts per group (G)
     * @param restored the task's running averages as snapshotted ({@link #snapshot}), or null
     */
    public PassRates(int groupSize, Stats restored) {
        this.groupSize = groupSize;
        if (restored != null) {
            groups = restored.groups();
            mean = restored.mean();
            meanSquare = restored.meanSquare();
        }
    }

    /**
     * The task's running averages, as checkpointed.
     *
     * @param groups groups observed
     * @param mean exponential average of the groups' mean rewards
     * @param meanSquare exponential average of their squares
     */
    public record Stats(long groups, double mean, double meanSquare) {}

    /** A problem's own evidence: the sum of its clamped rewards over {@code rollouts} rollouts. */
    public record Evidence(double passes, long rollouts) {

        public static final Evidence NONE = new Evidence(0, 0);

        /** This evidence plus the rollouts of {@code group}. */
        public Evidence plus(ScoredGroup group) {
            double sum = 0;
            for (Rollout r : group.rollouts()) {
                sum += clamp(r.reward());
            }
            return new Evidence(passes + sum, rollouts + group.rollouts().length);
        }
    }

    /** Takes a scored group into the task's running averages. */
    public void observe(ScoredGroup group) {
        double y = 0;
        for (Rollout r : group.rollouts()) {
            y += clamp(r.reward());
        }
        y /= group.rollouts().length;
        double weight = Math.max(1.0 / (groups + 1), 1.0 / WINDOW);
        mean += weight * (y - mean);
        meanSquare += weight * (y * y - meanSquare);
        groups++;
    }

    /** The chance that the next group of a problem with {@code evidence} is useful. */
    public double usefulChance(Evidence evidence) {
        double[] prior = prior();
        double alpha = prior[0] + evidence.passes();
        double beta = prior[1] + (evidence.rollouts() - evidence.passes());
        double allPass = 1;
        double allFail = 1;
        for (int i = 0; i < groupSize; i++) {
            allPass *= (alpha + i) / (alpha + beta + i);
            allFail *= (beta + i) / (alpha + beta + i);
        }
        return Math.max(MIN_USEFUL, 1 - allPass - allFail);
    }

    /** The prior's {α, β}: uniform before any group, else fitted to the task's recent groups by moments. */
    double[] prior() {
        if (groups == 0) {
            return new double[] {1, 1};
        }
        double m = Math.min(1 - 1e-3, Math.max(1e-3, mean));
        double spread = m * (1 - m);
        double groupVariance = Math.max(0, meanSquare - mean * mean);
        // Var(group mean) = Var(p) + E[p(1 − p)] / G, and E[p(1 − p)] = m(1 − m) − Var(p).
        double variance =
                groupSize > 1 ? (groupVariance - spread / groupSize) * groupSize / (groupSize - 1) : groupVariance;
        variance = Math.min(spread * 0.999, Math.max(spread * 1e-4, variance));
        double strength = spread / variance - 1;
        return new double[] {strength * m, strength * (1 - m)};
    }

    /** The task's running averages, for the checkpoint. */
    public Stats snapshot() {
        return new Stats(groups, mean, meanSquare);
    }

    private static double clamp(double reward) {
        return Math.min(1, Math.max(0, reward));
    }
}
