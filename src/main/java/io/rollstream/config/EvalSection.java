package io.rollstream.config;

/**
 * The {@code eval} section: greedy evaluation on held-out problems during and after training.
 *
 * @param everySteps evaluate every this many learner steps, 0 for only at the end, at least 0; default 5
 * @param problems held-out problems per evaluation, at least 1; default 200
 * @param maxNewTokens most tokens generated per answer, at least 1; null to use {@code rollout.max_new_tokens};
 *     default null
 */
public record EvalSection(int everySteps, int problems, Integer maxNewTokens) {

    /** Every key at its default. */
    public static EvalSection defaults() {
        return new EvalSection(5, 200, null);
    }

    public EvalSection {
        ConfigErrors e = new ConfigErrors();
        e.check(everySteps >= 0, "eval.every_steps", everySteps, "must be >= 0 (0 = only at the end)");
        e.check(problems >= 1, "eval.problems", problems, "must be >= 1: try 200");
        e.check(maxNewTokens == null || maxNewTokens >= 1, "eval.max_new_tokens", maxNewTokens,
                "must be >= 1, or null to use rollout.max_new_tokens");
        e.throwIfAny();
    }

    /** {@code max_new_tokens}, or {@code rolloutMaxNewTokens} when it is null. */
    public int maxNewTokensOr(int rolloutMaxNewTokens) {
        return maxNewTokens == null ? rolloutMaxNewTokens : maxNewTokens;
    }
}
