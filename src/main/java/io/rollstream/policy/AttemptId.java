package io.rollstream.policy;

import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * Names one execution attempt of the job: the job id and the task's attempt number. The pipeline
 * is one failover region (every edge is pipelined), so a restart restarts every task and they all
 * share the attempt number; a resumed run is a new job. The learner fences the policy store with
 * this id and the generators of the same attempt wait for that fence.
 */
public final class AttemptId {

    private AttemptId() {}

    public static String of(RuntimeContext context) {
        return context.getJobInfo().getJobId() + "-" + context.getTaskInfo().getAttemptNumber();
    }
}
