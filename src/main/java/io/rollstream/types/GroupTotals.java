package io.rollstream.types;

/**
 * What batch assembly has seen over the whole run (across restores: it is part of its state): the
 * scored groups it received, what became of them, and their completion tokens. The waste of a run
 * reads off it: {@link #generationEfficiency()} and {@link #rolloutTokensPerTrainedToken()}.
 *
 * @param scored scored groups received (every group the generators produced)
 * @param trained groups trained
 * @param droppedZeroAdvantage dropped: every advantage was 0
 * @param droppedDifficulty dropped by online difficulty filtering
 * @param droppedStale dropped: staler than {@code max_off_policy_steps} before a batch had room
 * @param droppedLength dropped by the length filter
 * @param droppedScoringFailed dropped: the verifier threw
 * @param scoredTokens completion tokens of the scored groups
 * @param trainedTokens completion tokens of the trained groups
 */
public record GroupTotals(
        long scored,
        long trained,
        long droppedZeroAdvantage,
        long droppedDifficulty,
        long droppedStale,
        long droppedLength,
        long droppedScoringFailed,
        long scoredTokens,
        long trainedTokens) {

    /** Nothing seen yet. */
    public static final GroupTotals NONE = new GroupTotals(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** How many counts there are: the length of {@link #toArray}. */
    public static final int COUNTS = 9;

    /** The counts in the order of the record's components (the order state serializers write them in). */
    public long[] toArray() {
        return new long[] {
            scored,
            trained,
            droppedZeroAdvantage,
            droppedDifficulty,
            droppedStale,
            droppedLength,
            droppedScoringFailed,
            scoredTokens,
            trainedTokens
        };
    }

    /** Totals from {@link #toArray}'s layout. */
    public static GroupTotals of(long[] counts) {
        if (counts.length != COUNTS) {
            throw new IllegalArgumentException("group totals are " + COUNTS + " counts, got " + counts.length);
        }
        return new GroupTotals(
                counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6], counts[7], counts[8]);
    }

    /** Trained ÷ scored groups; NaN before any group was scored. */
    public double generationEfficiency() {
        return scored == 0 ? Double.NaN : (double) trained / scored;
    }

    /** Completion tokens generated per completion token trained; NaN before anything was trained. */
    public double rolloutTokensPerTrainedToken() {
        return trainedTokens == 0 ? Double.NaN : (double) scoredTokens / trainedTokens;
    }
}
