package io.rollstream.rollout;

import io.rollstream.tasks.Problem;

/**
 * One admitted group to generate: {@code groupSize} rollouts of {@code problem} with policy
 * {@code policyVersion}.
 *
 * @param problem the problem
 * @param admission how many earlier admissions this problem had (0 for the first)
 * @param policyVersion the version pinned at admission; every rollout of the group uses it
 * @param sequence subtask-local admission order (re-submission after a restore keeps it)
 */
public record GroupRequest(Problem problem, long admission, long policyVersion, long sequence) {}
