package io.rollstream.batch;

import io.rollstream.types.DropReason;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;
import java.io.Serializable;

/**
 * The content filters of batch assembly, as one pure decision. They are checked in this order and
 * the first that matches names the drop reason:
 *
 * <ol>
 *   <li>{@link DropReason#SCORING_FAILED}: always, when the verifier threw on any rollout;
 *   <li>{@link DropReason#LENGTH}: {@code filterTruncated} and any rollout was truncated;
 *   <li>{@link DropReason#DIFFICULTY}: {@code filterDifficulty} and the mean reward is exactly 0.0
 *       or exactly 1.0 (online difficulty filtering);
 *   <li>{@link DropReason#ZERO_ADVANTAGE}: {@code filterZeroAdvantage} and every advantage is
 *       exactly 0.
 * </ol>
 *
 * Staleness is not a content filter: it depends on the step being cut and is applied by {@link
 * BatchAssembler}. The rollout stage reuses {@link #dropReason} to learn early that a group will be
 * dropped.
 */
public record GroupFilters(boolean filterTruncated, boolean filterDifficulty, boolean filterZeroAdvantage)
        implements Serializable {

    /** No content filter. */
    public static final GroupFilters NONE = new GroupFilters(false, false, false);
    /** Every content filter. */
    public static final GroupFilters ALL = new GroupFilters(true, true, true);

    /**
     * @param group the scored group
     * @param advantages its advantages ({@link Advantages}), one per rollout
     * @return the first matching reason, or null when the group passes
     */
    public DropReason dropReason(ScoredGroup group, float[] advantages) {
        return dropReason(group.rollouts(), advantages);
    }

    /** {@link #dropReason(ScoredGroup, float[])} of a group's rollouts. */
    public DropReason dropReason(Rollout[] rollouts, float[] advantages) {
        for (Rollout r : rollouts) {
            if (r.scoringFailed()) {
                return DropReason.SCORING_FAILED;
            }
        }
        if (filterTruncated && anyTruncated(rollouts)) {
            return DropReason.LENGTH;
        }
        if (filterDifficulty) {
            double mean = ScoredGroup.meanReward(rollouts);
            if (mean == 0.0 || mean == 1.0) {
                return DropReason.DIFFICULTY;
            }
        }
        if (filterZeroAdvantage && allZero(advantages)) {
            return DropReason.ZERO_ADVANTAGE;
        }
        return null;
    }

    private static boolean anyTruncated(Rollout[] rollouts) {
        for (Rollout r : rollouts) {
            if (r.truncated()) {
                return true;
            }
        }
        return false;
    }

    private static boolean allZero(float[] advantages) {
        for (float a : advantages) {
            if (a != 0f) {
                return false;
            }
        }
        return true;
    }
}
