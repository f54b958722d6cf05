package io.rollstream.types;

/**
 * A group admitted into a training batch, with one advantage per rollout (group-relative).
 */
public record TrainGroup(ScoredGroup group, float[] advantages) {
    public TrainGroup {
        if (advantages.length != group.rollouts().length) {
            throw new IllegalArgumentException("one advantage per rollout is required");
        }
    }
}
