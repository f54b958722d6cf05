package io.rollstream.rollout;

import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;

/**
 * What a {@link GroupSampler} made of one group request: the scored completions and how they were
 * made. The rollout stage turns it into the {@link ScoredGroup} it emits, once, adding what only it
 * knows (its subtask, its pool counts, the content verdict).
 *
 * @param request the request generated (pinned to its policy version)
 * @param promptTokens prompt ids as the model saw them (BOS first)
 * @param policyVersion the policy version that generated every rollout (the pinned one, or a newer
 *     one when the pinned version was garbage-collected meanwhile)
 * @param generationMillis wall time of the group's forward passes (shared passes split among their groups)
 * @param rollouts the scored completions
 */
public record SampledGroup(
        GroupRequest request, int[] promptTokens, long policyVersion, double generationMillis, Rollout[] rollouts) {}
