package io.rollstream.job;

import io.rollstream.batch.Advantages;
import io.rollstream.batch.BatchAssemblyConfig;
import io.rollstream.rollout.GroupFilter;

/** Batch assembly's content filters as the rollout stage sees them, so dropped groups give their slot back. */
final class EarlyFilter {

    private EarlyFilter() {}

    static GroupFilter of(BatchAssemblyConfig batch) {
        return group -> batch.filters().dropReason(group, Advantages.of(group, batch.advantages())) != null;
    }
}
