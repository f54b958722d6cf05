package io.rollstream.batch;

import java.io.Serializable;

/**
 * Settings of batch assembly. Validated on construction: {@code batchSize} is a positive multiple of
 * {@code groupSize}, {@code maxOffPolicySteps ≥ 0}, {@code maxSteps ≥ 0}.
 *
 * @param batchSize rollouts per training batch
 * @param groupSize rollouts per group (rollouts_per_example)
 * @param maxOffPolicySteps groups with step − policy_version above this are dropped as stale
 * @param maxSteps no batch is cut for a step ≥ this; 0 or {@link Long#MAX_VALUE} means unlimited
 * @param filters the content filters (length, difficulty, zero advantage)
 * @param advantages how advantages are computed ({@code buffer.advantage}, soft overlong punishment)
 */
public record BatchAssemblyConfig(
        int batchSize,
        int groupSize,
        long maxOffPolicySteps,
        long maxSteps,
        GroupFilters filters,
        Advantages.Config advantages)
        implements Serializable {

    public BatchAssemblyConfig {
        if (batchSize <= 0 || groupSize <= 0) {
            throw new IllegalArgumentException(
                    "batch size " + batchSize + " and group size " + groupSize + " must be positive");
        }
        if (batchSize % groupSize != 0) {
            throw new IllegalArgumentException("batch size " + batchSize + " is not a multiple of the group size "
                    + groupSize + " (batches hold whole groups)");
        }
        if (maxOffPolicySteps < 0) {
            throw new IllegalArgumentException("max off-policy steps must be ≥ 0, got " + maxOffPolicySteps);
        }
        if (maxSteps < 0) {
            throw new IllegalArgumentException("max steps must be ≥ 0 (0 = unlimited), got " + maxSteps);
        }
        if (filters == null) {
            throw new IllegalArgumentException("filters must not be null (use GroupFilters.NONE)");
        }
        if (advantages == null) {
            advantages = Advantages.Config.GROUP_MEAN;
        }
    }

    /** Advantages r − mean, divided by the group's std when {@code divideAdvantagesByStd}; no reward shaping. */
    public BatchAssemblyConfig(
            int batchSize,
            int groupSize,
            long maxOffPolicySteps,
            long maxSteps,
            GroupFilters filters,
            boolean divideAdvantagesByStd) {
        this(
                batchSize,
                groupSize,
                maxOffPolicySteps,
                maxSteps,
                filters,
                new Advantages.Config(
                        divideAdvantagesByStd ? Advantages.Estimator.GROUP_MEAN_STD : Advantages.Estimator.GROUP_MEAN,
                        null,
                        1));
    }

    /** Groups in one batch: batchSize / groupSize. */
    public int groupsPerBatch() {
        return batchSize / groupSize;
    }

    /** Whether a batch may still be cut for {@code step}. */
    public boolean mayCut(long step) {
        return maxSteps == 0 || step < maxSteps;
    }
}
