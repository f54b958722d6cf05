package io.rollstream.types;

/**
 * Batch assembly's content verdict on a scored group — its advantages and whether a content filter
 * drops it — decided once, by the rollout stage when the group completes (it needs to know early,
 * to give a dropped group's admission slot back), and carried to batch assembly on the group.
 * Staleness is not part of it: that depends on the step batch assembly is cutting.
 *
 * @param advantages one advantage per rollout, in rollout order
 * @param dropped the content filter that drops the group, or null when it passes them
 */
public record GroupVerdict(float[] advantages, DropReason dropped) {}
