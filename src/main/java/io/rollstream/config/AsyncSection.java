package io.rollstream.config;

/**
 * The {@code async} section: how far generation may run ahead of learning.
 *
 * @param maxAsyncLevel learner steps the policy used for sampling may lag behind the learner (the gate on
 *     generation), at least 0 (0 = fully on-policy); default 1
 * @param maxOffPolicySteps groups sampled by a policy more steps behind than this are dropped as stale, at least
 *     {@code max_async_level}; default 1
 */
public record AsyncSection(int maxAsyncLevel, int maxOffPolicySteps) {

    /** Every key at its default. */
    public static AsyncSection defaults() {
        return new AsyncSection(1, 1);
    }

    public AsyncSection {
        ConfigErrors e = new ConfigErrors();
        e.check(maxAsyncLevel >= 0, "async.max_async_level", maxAsyncLevel, "must be >= 0 (0 = fully on-policy)");
        e.check(maxOffPolicySteps >= 0, "async.max_off_policy_steps", maxOffPolicySteps, "must be >= 0");
        if (maxAsyncLevel >= 0 && maxOffPolicySteps >= 0) {
            e.check(
                    maxOffPolicySteps >= maxAsyncLevel,
                    "async.max_off_policy_steps",
                    maxOffPolicySteps,
                    "must be >= async.max_async_level (" + maxAsyncLevel + "), or groups the gate lets through"
                            + " would be dropped as stale: raise async.max_off_policy_steps to " + maxAsyncLevel
                            + " or lower async.max_async_level to " + maxOffPolicySteps);
        }
        e.throwIfAny();
    }
}
