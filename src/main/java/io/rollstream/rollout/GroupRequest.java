package io.rollstream.rollout;

import io.rollstream.tasks.Problem;

/**
 * One admitted group to generate: {@code rollouts_per_example} rollouts of {@code problem}.
 *
 * @param problem the problem
 * @param admission how many earlier admissions this problem had (0 for the first)
 * @param sequence subtask-local arrival order of the problem (re-submission after a restore keeps it)
 * @param usefulChance the admission's estimate that the group will be useful (1 unless oversampling
 *     is adaptive); the gate counts it while the group is in flight
 * @param policyVersion the version every rollout of the group uses: -1 until generation starts, then
 *     the newest version its generator had when the group's first token was sampled
 */
public record GroupRequest(Problem problem, long admission, long sequence, double usefulChance, long policyVersion) {

    /** A request admitted now, its version to be pinned when its generation starts. */
    public static GroupRequest admitted(Problem problem, long admission, long sequence, double usefulChance) {
        return new GroupRequest(problem, admission, sequence, usefulChance, -1);
    }

    /** The same request, pinned to {@code version}. */
    public GroupRequest pinnedTo(long version) {
        return new GroupRequest(problem, admission, sequence, usefulChance, version);
    }
}
