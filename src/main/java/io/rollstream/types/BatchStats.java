package io.rollstream.types;

/**
 * What batch assembly saw while filling one batch: counts since the previous batch (drops, groups
 * received, tokens) and its state when the batch was cut.
 *
 * @param groupsReceived scored groups that arrived since the previous batch
 * @param groupsDroppedZeroAdvantage dropped because every advantage was 0
 * @param groupsDroppedDifficulty dropped by online difficulty filtering (mean reward exactly 0 or 1)
 * @param groupsDroppedStale dropped because step − policy_version exceeded max_off_policy_steps
 * @param groupsDroppedLength dropped by the length filter
 * @param groupsWaiting surplus groups kept for later batches
 * @param completionTokensReceived completion tokens in the groups received
 * @param firstArrivalMillis wall clock of the first group received for this batch
 * @param cutMillis wall clock when the batch was cut
 * @param pools pool sizes summed over the latest report of each generator subtask
 * @param totals the whole run's counts as of this cut (this batch's groups included)
 */
public record BatchStats(
        long groupsReceived,
        long groupsDroppedZeroAdvantage,
        long groupsDroppedDifficulty,
        long groupsDroppedStale,
        long groupsDroppedLength,
        long groupsWaiting,
        long completionTokensReceived,
        long firstArrivalMillis,
        long cutMillis,
        PoolCounts pools,
        GroupTotals totals) {}
