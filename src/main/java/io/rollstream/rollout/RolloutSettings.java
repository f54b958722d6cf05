package io.rollstream.rollout;

import java.io.Serializable;

/**
 * What the rollout operator needs besides its sampler.
 *
 * @param gate admission budget arithmetic
 * @param pools difficulty pool thresholds
 * @param filter early view of batch assembly's content filters (slot give-back)
 * @param maxGroupsPerPass most groups generated in one call to the sampler
 * @param policyPollMillis how often the policy store is polled for new versions
 */
public record RolloutSettings(AdmissionGate gate, DifficultyPools pools, GroupFilter filter, int maxGroupsPerPass,
        long policyPollMillis) implements Serializable {}
