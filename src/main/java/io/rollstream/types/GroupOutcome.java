package io.rollstream.types;

/**
 * The fate of one scored group, for {@code rollouts.jsonl}: trained at a step, or dropped with a
 * reason. Exactly one outcome is emitted per scored group.
 *
 * @param group the scored group
 * @param advantages its advantages (also for dropped groups, when computed)
 * @param trainedStep the learner step that trained it, or -1
 * @param dropped why it was dropped, or null
 */
public record GroupOutcome(ScoredGroup group, float[] advantages, long trainedStep, DropReason dropped) {

    public static GroupOutcome trained(TrainGroup g, long step) {
        return new GroupOutcome(g.group(), g.advantages(), step, null);
    }

    public static GroupOutcome dropped(ScoredGroup group, float[] advantages, DropReason reason) {
        return new GroupOutcome(group, advantages, -1, reason);
    }
}
