package io.rollstream.batch;

import io.rollstream.types.BatchStats;
import io.rollstream.types.DropReason;
import io.rollstream.types.GroupTotals;
import io.rollstream.types.PoolCounts;

/**
 * What arrived and what was dropped since the previous cut — turned into the next batch's {@link
 * BatchStats} and reset when a batch is cut — and the same over the whole run ({@link GroupTotals},
 * never reset). A stale drop of a group that arrived before the previous cut counts in the period
 * it happened in.
 */
final class CutCounters {

    long received;
    long droppedZeroAdvantage;
    long droppedDifficulty;
    long droppedStale;
    long droppedLength;
    long completionTokens;
    long firstArrivalMillis; // meaningful only when received > 0
    /** The whole run's counts; see {@link GroupTotals}. */
    final long[] total = new long[GroupTotals.COUNTS];

    // Indices of total, in GroupTotals' component order (GroupTotals.toArray).
    private static final int SCORED = 0;
    private static final int TRAINED = 1;
    private static final int ZERO_ADVANTAGE = 2;
    private static final int DIFFICULTY = 3;
    private static final int STALE = 4;
    private static final int LENGTH = 5;
    private static final int SCORING_FAILED = 6;
    private static final int SCORED_TOKENS = 7;
    private static final int TRAINED_TOKENS = 8;

    void arrived(long completionTokens, long nowMillis) {
        if (received == 0) {
            firstArrivalMillis = nowMillis;
        }
        received++;
        this.completionTokens += completionTokens;
        total[SCORED]++;
        total[SCORED_TOKENS] += completionTokens;
    }

    void trained(long completionTokens) {
        total[TRAINED]++;
        total[TRAINED_TOKENS] += completionTokens;
    }

    /** Counts a drop; {@link DropReason#END_OF_INPUT} has no counter (no batch follows it). */
    void dropped(DropReason reason) {
        switch (reason) {
            case LENGTH -> {
                droppedLength++;
                total[LENGTH]++;
            }
            case DIFFICULTY -> {
                droppedDifficulty++;
                total[DIFFICULTY]++;
            }
            case ZERO_ADVANTAGE -> {
                droppedZeroAdvantage++;
                total[ZERO_ADVANTAGE]++;
            }
            case STALE -> {
                droppedStale++;
                total[STALE]++;
            }
            case END_OF_INPUT -> {}
            case SCORING_FAILED -> total[SCORING_FAILED]++; // also a line of invalid-records.jsonl
        }
    }

    GroupTotals totals() {
        return GroupTotals.of(total);
    }

    void restoreTotals(GroupTotals t) {
        System.arraycopy(t.toArray(), 0, total, 0, total.length);
    }

    /**
     * The stats of a batch cut now, then a reset of the per-cut counts. With nothing received since
     * the previous cut (a batch made of surplus alone) the first arrival is the cut time. Call after
     * {@link #trained} for the batch's groups, so the totals include them.
     */
    BatchStats cut(long groupsWaiting, long cutMillis, PoolCounts pools) {
        BatchStats stats = new BatchStats(
                received,
                droppedZeroAdvantage,
                droppedDifficulty,
                droppedStale,
                droppedLength,
                groupsWaiting,
                completionTokens,
                received > 0 ? firstArrivalMillis : cutMillis,
                cutMillis,
                pools,
                totals());
        received = droppedZeroAdvantage = droppedDifficulty = droppedStale = droppedLength = completionTokens = 0;
        firstArrivalMillis = 0;
        return stats;
    }
}
