package io.rollstream.batch;

/**
 * Why a scored group was not trained: the {@code dropped} value of a {@link
 * io.rollstream.types.GroupOutcome}, written as is to {@code rollouts.jsonl} and used as metric
 * names. Every group that is not trained gets exactly one of these.
 */
public final class DropReasons {

    /** A rollout of the group hit max_new_tokens or the context end (length filter). */
    public static final String LENGTH = "length";
    /** Online difficulty filtering: the group's mean reward is exactly 0 or exactly 1. */
    public static final String DIFFICULTY = "difficulty";
    /** Every advantage is exactly 0, so the group carries no gradient. */
    public static final String ZERO_ADVANTAGE = "zero_advantage";
    /** step − policy_version exceeded max_off_policy_steps before the group could be trained. */
    public static final String STALE = "stale";
    /** The input ended while the group was still waiting for a batch. */
    public static final String END_OF_INPUT = "end_of_input";
    /** The verifier threw on a rollout of the group (also written to invalid-records.jsonl). */
    public static final String SCORING_FAILED = "scoring_failed";

    private DropReasons() {}
}
