package io.rollstream.rollout;

import io.rollstream.rollout.DifficultyPools.Pool;

/**
 * What the rollout stage keeps per problem (keyed state), as long as the problem can come back.
 *
 * @param pool its difficulty pool after its last group ({@link Pool#NONE} before the first)
 * @param admissions how many times it was admitted
 * @param passes the sum of its rollouts' rewards, each clamped to [0, 1] (adaptive oversampling)
 * @param rollouts how many rollouts {@code passes} sums over
 */
public record ProblemState(Pool pool, long admissions, double passes, long rollouts) {

    /** A problem never seen. */
    public static final ProblemState NEW = new ProblemState(Pool.NONE, 0, 0, 0);

    public ProblemState withPool(Pool to) {
        return new ProblemState(to, admissions, passes, rollouts);
    }

    ProblemState admittedOnce() {
        return new ProblemState(pool, admissions + 1, passes, rollouts);
    }

    PassRates.Evidence evidence() {
        return new PassRates.Evidence(passes, rollouts);
    }

    ProblemState with(PassRates.Evidence evidence) {
        return new ProblemState(pool, admissions, evidence.passes(), evidence.rollouts());
    }
}
