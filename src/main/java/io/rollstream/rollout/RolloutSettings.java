package io.rollstream.rollout;

import java.io.Serializable;

/**
 * What the rollout operator needs besides its sampler.
 *
 * @param gate admission budget arithmetic
 * @param pools difficulty pool thresholds
 * @param judge batch assembly's content verdict, decided when a group completes (slot give-back)
 * @param maxGroupsPerPass most groups generated in one call to the sampler
 * @param policyPollMillis how often the policy store is polled for new versions
 * @param readmission easy/hard problems re-admitted when a run is resumed
 * @param groupSize rollouts per group ({@code rollouts_per_example})
 * @param problemsRecur whether a problem can come back (a fixed set read for several epochs): then its
 *     keyed state (pool, admissions, pass-rate evidence) is kept; otherwise it is cleared once its
 *     group is back
 */
public record RolloutSettings(
        AdmissionGate gate,
        DifficultyPools pools,
        GroupJudge judge,
        int maxGroupsPerPass,
        long policyPollMillis,
        ReAdmission readmission,
        int groupSize,
        boolean problemsRecur)
        implements Serializable {}
