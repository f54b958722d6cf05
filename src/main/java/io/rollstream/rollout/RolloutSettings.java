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
 * @param readmission easy/hard problems re-admitted when a run is resumed
 */
public record RolloutSettings(AdmissionGate gate, DifficultyPools pools, GroupFilter filter, int maxGroupsPerPass,
        long policyPollMillis, ReAdmission readmission) implements Serializable {

    /** Settings that re-admit nothing on resume. */
    public RolloutSettings(AdmissionGate gate, DifficultyPools pools, GroupFilter filter, int maxGroupsPerPass,
            long policyPollMillis) {
        this(gate, pools, filter, maxGroupsPerPass, policyPollMillis, ReAdmission.NONE);
    }
}
