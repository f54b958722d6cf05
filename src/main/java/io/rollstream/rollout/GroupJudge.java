package io.rollstream.rollout;

import io.rollstream.types.GroupVerdict;
import io.rollstream.types.Rollout;
import java.io.Serializable;

/**
 * Batch assembly's content verdict (advantages; zero-advantage, difficulty, length filters), decided
 * by the rollout stage when a group completes: a group that will be dropped gives its admission slot
 * back at once, and the verdict travels on the group so batch assembly does not decide it again.
 */
@FunctionalInterface
public interface GroupJudge extends Serializable {

    /** The verdict on a group of these rollouts, or null to leave it to batch assembly. */
    GroupVerdict judge(Rollout[] rollouts);

    /** Judges nothing: every group counts as useful here, and batch assembly decides. */
    static GroupJudge none() {
        return rollouts -> null;
    }
}
