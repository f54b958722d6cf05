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

    /** Trained ÷ scored groups; NaN before any group was scored. */
    public double generationEfficiency() {
        return scored == 0 ? Double.NaN : (double) trained / scored;
    }

    /** Completion tokens generated per completion token trained; NaN before anything was trained. */
    public double rolloutTokensPerTrainedToken() {
        return trainedTokens == 0 ? Double.NaN : (double) scoredTokens / trainedTokens;
    }
}
