package io.rollstream.batch;

import io.rollstream.types.BatchStats;
import io.rollstream.types.PoolCounts;

/**
 * What arrived and what was dropped since the previous cut; turned into the next batch's {@link
 * BatchStats} and reset when a batch is cut. A stale drop of a group that arrived before the
 * previous cut counts here too (it happened in this period).
 */
final class CutCounters {

    long received;
    long droppedZeroAdvantage;
    long droppedDifficulty;
    long droppedStale;
    long droppedLength;
    long completionTokens;
    long firstArrivalMillis; // meaningful only when received > 0

    void arrived(long completionTokens, long nowMillis) {
        if (received == 0) {
            firstArrivalMillis = nowMillis;
        }
        received++;
        this.completionTokens += completionTokens;
    }

    /** Counts a drop; {@link DropReasons#END_OF_INPUT} has no counter (no batch follows it). */
    void dropped(String reason) {
        switch (reason) {
            case DropReasons.LENGTH -> droppedLength++;
            case DropReasons.DIFFICULTY -> droppedDifficulty++;
            case DropReasons.ZERO_ADVANTAGE -> droppedZeroAdvantage++;
            case DropReasons.STALE -> droppedStale++;
            case DropReasons.END_OF_INPUT -> { }
            case DropReasons.SCORING_FAILED -> { } // counted as a line of invalid-records.jsonl
            default -> throw new IllegalArgumentException("unknown drop reason " + reason);
        }
    }

    /**
     * The stats of a batch cut now, then a reset. With nothing received since the previous cut (a
     * batch made of surplus alone) the first arrival is the cut time.
     */
    BatchStats cut(long groupsWaiting, long cutMillis, PoolCounts pools) {
        BatchStats stats = new BatchStats(received, droppedZeroAdvantage, droppedDifficulty, droppedStale,
                droppedLength, groupsWaiting, completionTokens, received > 0 ? firstArrivalMillis : cutMillis,
                cutMillis, pools);
        received = droppedZeroAdvantage = droppedDifficulty = droppedStale = droppedLength = completionTokens = 0;
        firstArrivalMillis = 0;
        return stats;
    }
}
