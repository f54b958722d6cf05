package io.rollstream.report;

import io.rollstream.types.StepMetrics;
import io.rollstream.types.StepMetrics.Groups;
import io.rollstream.types.StepMetrics.Optimization;
import io.rollstream.types.StepMetrics.Rewards;
import io.rollstream.types.StepMetrics.Samples;
import io.rollstream.types.StepMetrics.StepTimes;
import io.rollstream.types.StepMetrics.Throughput;
import io.rollstream.types.StepMetrics.Totals;
import io.rollstream.types.StepMetrics.Training;
import io.rollstream.types.StepMetrics.Updates;
import java.util.function.Function;

/**
 * A quantity the report reads from {@link StepMetrics} lines, named by its {@code metrics.jsonl} key
 * (the name of its series on a chart); a line without it (an older run, SFT, a step that did not
 * evaluate) has none.
 *
 * @param key the {@code metrics.jsonl} key
 * @param value the quantity of a line, or null where the line has none
 */
record Metric(String key, Function<StepMetrics, Double> value) {

    static final Metric REWARD_MEAN = of("reward_mean", StepMetrics::rewards, Rewards::rewardMean);
    static final Metric REWARD_STD = of("reward_std", StepMetrics::rewards, Rewards::rewardStd);
    static final Metric KL_MEAN = of("kl_mean", StepMetrics::rewards, Rewards::klMean);
    static final Metric EVAL_ACCURACY = new Metric("eval_accuracy", StepMetrics::evalAccuracy);
    static final Metric LOSS = of("loss", StepMetrics::optimization, Optimization::loss);
    static final Metric GRAD_NORM = of("grad_norm", StepMetrics::optimization, Optimization::gradNorm);
    static final Metric ENTROPY = of("entropy", StepMetrics::optimization, Optimization::entropy);
    static final Metric SEQ_LEN_MEAN = of("seq_len_mean", StepMetrics::samples, Samples::seqLenMean);
    static final Metric SEQ_LEN_MAX = of("seq_len_max", StepMetrics::samples, Samples::seqLenMax);
    static final Metric COMPLETIONS_CUT_FRACTION =
            of("completions_cut_fraction", StepMetrics::samples, Samples::completionsCutFraction);
    static final Metric STALENESS_MEAN = of("staleness_mean", StepMetrics::samples, Samples::stalenessMean);
    static final Metric STALENESS_MAX = of("staleness_max", StepMetrics::samples, Samples::stalenessMax);
    static final Metric POOL_EASY = of("pool_easy", StepMetrics::groups, Groups::poolEasy);
    static final Metric POOL_NORMAL = of("pool_normal", StepMetrics::groups, Groups::poolNormal);
    static final Metric POOL_HARD = of("pool_hard", StepMetrics::groups, Groups::poolHard);
    static final Metric ROLLOUT_TOKENS = of("rollout_tokens", StepMetrics::throughput, Throughput::rolloutTokens);
    static final Metric LEARNER_TOKENS_PER_S =
            of("learner_tokens_per_s", StepMetrics::throughput, Throughput::learnerTokensPerS);
    static final Metric LEARNER_WAIT_S = of("learner_wait_s", StepMetrics::throughput, Throughput::learnerWaitS);
    static final Metric STEP_TIME_S = of("step_time_s", StepMetrics::updates, Updates::stepTimeS);
    static final Metric LEARNING_RATE = of("learning_rate", StepMetrics::training, Training::learningRate);
    static final Metric TIME_S = of("time_s", StepMetrics::stepTimes, StepTimes::timeS);

    /** The number {@code field} of the part {@code part}, where a line has both. */
    static <P> Metric of(String key, Function<StepMetrics, P> part, Function<P, ? extends Number> field) {
        return new Metric(key, m -> {
            P p = part.apply(m);
            Number n = p == null ? null : field.apply(p);
            return n == null ? null : n.doubleValue();
        });
    }

    /** A group count of the step ({@code groups_scored}, {@code groups_dropped_stale}, ...). */
    static Metric groups(String key, Function<Groups, ? extends Number> field) {
        return of(key, StepMetrics::groups, field);
    }

    /** A whole-run total ({@code total_generation_efficiency}, ...). */
    static Metric totals(String key, Function<Totals, ? extends Number> field) {
        return of(key, StepMetrics::totals, field);
    }

    /** One of the losses' diagnostics ({@code is_ratio_mean}, {@code clipped_fraction}, ...). */
    static Metric diagnostic(String key) {
        return new Metric(key, m -> m.lossDiagnostics().get(key));
    }

    /** Whether {@code m} has the quantity. */
    boolean in(StepMetrics m) {
        return value.apply(m) != null;
    }

    /** The quantity of {@code m}; 0 where it has none. */
    double of(StepMetrics m) {
        Double v = value.apply(m);
        return v == null ? 0 : v;
    }
}
