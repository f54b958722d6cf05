package io.rollstream.rollout;

import java.io.Serializable;

/**
 * Difficulty pools from a problem's last group (prime-rl's buffer): average reward ≥
 * {@code easyThreshold} → easy, ≤ {@code hardThreshold} → hard, else normal. Easy and hard
 * problems are not generated again (unless re-admitted on resume). A null threshold disables its pool.
 */
public record DifficultyPools(Double easyThreshold, Double hardThreshold) implements Serializable {

    /** Pool of a problem. NONE: never finished a group. */
    public enum Pool {
        NONE,
        EASY,
        NORMAL,
        HARD
    }

    /** The pool after a group with mean reward {@code meanReward}. */
    public Pool classify(double meanReward) {
        if (easyThreshold != null && meanReward >= easyThreshold) {
            return Pool.EASY;
        }
        if (hardThreshold != null && meanReward <= hardThreshold) {
            return Pool.HARD;
        }
        return Pool.NORMAL;
    }

    /** Whether a problem in {@code pool} may be generated. */
    public static boolean admits(Pool pool) {
        return pool == Pool.NONE || pool == Pool.NORMAL;
    }
}
