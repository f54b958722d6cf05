package io.rollstream.types;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Why a scored group was not trained: the {@code dropped} value of a {@link GroupOutcome}, written
 * as its {@link #key()} to {@code rollouts.jsonl} and used in metric names ({@code
 * groups_dropped_<key>}). Every group that is not trained gets exactly one of these.
 */
public enum DropReason {
    /** A rollout of the group hit max_new_tokens or the context end (length filter). */
    LENGTH,
    /** Online difficulty filtering: the group's mean reward is exactly 0 or exactly 1. */
    DIFFICULTY,
    /** Every advantage is exactly 0, so the group carries no gradient. */
    ZERO_ADVANTAGE,
    /** step − policy_version exceeded max_off_policy_steps before the group could be trained. */
    STALE,
    /** The input ended while the group was still waiting for a batch. */
    END_OF_INPUT,
    /** The verifier threw on a rollout of the group (also written to invalid-records.jsonl). */
    SCORING_FAILED;

    /** The snake_case name in {@code rollouts.jsonl} and metric names: {@code zero_advantage}. */
    @JsonValue
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return key();
    }
}
