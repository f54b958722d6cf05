package io.rollstream.job;

import io.rollstream.batch.BatchAssembler;
import io.rollstream.batch.BatchAssemblyConfig;
import io.rollstream.rollout.GroupJudge;

/** Batch assembly's content verdict, decided in the rollout stage, so dropped groups give their slot back. */
final class EarlyVerdict {

    private EarlyVerdict() {}

    static GroupJudge of(BatchAssemblyConfig batch) {
        return rollouts -> BatchAssembler.judge(batch, rollouts);
    }
}
