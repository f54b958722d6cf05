package io.rollstream.config;

/**
 * The {@code eval} section: greedy evaluation on held-out problems during and after training, and
 * pass@k of sampled completions when {@code samples} > 0.
 *
 * @param everySteps evaluate every this many learner steps, 0 for only at the end, at least 0; default 5
 * @param problems held-out problems per evaluation, at least 1; default 200
 * @param maxNewTokens most tokens generated per answer, at least 1; null to use {@code rollout.max_new_tokens};
 *     default null
 * @param samples completions sampled per held-out problem at each evaluation, besides the greedy
 *     one, for pass@k (k = 1, 2, 4, … and {@code samples}); 0 for greedy accuracy only, at least 0;
 *     default 0
 * @param temperature their sampling temperature, above 0; default 1.0
 */
public record EvalSection(int everySteps, int problems, Integer maxNewTokens, int samples, double temperature) {

    /** Most samples per problem: pass@k beyond it says little and costs as much generation. */
    static final int MAX_SAMPLES = 1024;

    /** Every key at its default. */
    public static EvalSection defaults() {
        return new EvalSection(5, 200, null, 0, 1.0);
    }

    public EvalSection {
        ConfigErrors e = new ConfigErrors();
        e.check(everySteps >= 0, "eval.every_steps", everySteps, "must be >= 0 (0 = only at the end)");
        e.check(problems >= 1, "eval.problems", problems, "must be >= 1: try 200");
        e.check(
                maxNewTokens == null || maxNewTokens >= 1,
                "eval.max_new_tokens",
                maxNewTokens,
                "must be >= 1, or null to use rollout.max_new_tokens");
        e.check(
                samples >= 0 && samples <= MAX_SAMPLES,
                "eval.samples",
                samples,
                "must be between 0 (greedy accuracy only) and " + MAX_SAMPLES + ": try 8 for pass@1 to pass@8");
        e.check(
                temperature > 0 && Double.isFinite(temperature),
                "eval.temperature",
                temperature,
                "must be > 0 (the sampling temperature of eval.samples): try 1.0");
        e.throwIfAny();
    }

    /** {@code max_new_tokens}, or {@code rolloutMaxNewTokens} when it is null. */
    public int maxNewTokensOr(int rolloutMaxNewTokens) {
        return maxNewTokens == null ? rolloutMaxNewTokens : maxNewTokens;
    }
}
