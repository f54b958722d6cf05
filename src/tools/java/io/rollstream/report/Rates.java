package io.rollstream.report;

import io.rollstream.types.StepMetrics;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Rates from metrics.jsonl lines as totals over time — never the mean of per-step rates, which a
 * step whose batch was ready at once (a few milliseconds, thousands of tokens) sends to the sky.
 * A step's time is the learner's wait for its batch plus its own step time; in series of lines
 * with {@code time_s} the time between two lines is the difference of their {@code time_s}.
 */
final class Rates {

    private Rates() {}

    /** Seconds step {@code i} of {@code rl} took. */
    static double seconds(List<StepMetrics> rl, int i) {
        StepMetrics m = rl.get(i);
        if (i > 0 && Metric.TIME_S.in(m) && Metric.TIME_S.in(rl.get(i - 1))) {
            double between = Metric.TIME_S.of(m) - Metric.TIME_S.of(rl.get(i - 1));
            if (between > 0) {
                return between;
            }
        }
        return Metric.LEARNER_WAIT_S.of(m) + Metric.STEP_TIME_S.of(m);
    }

    /** Tokens the learner trained on in step {@code m} (its rate times its step time, as the rate was made). */
    static double learnerTokens(StepMetrics m) {
        return Metric.LEARNER_TOKENS_PER_S.of(m) * Metric.STEP_TIME_S.of(m);
    }

    /** Σ {@code value} over the lines ÷ their total time: the rate over the whole run. */
    static double total(List<StepMetrics> rl, ToDoubleFunction<StepMetrics> value) {
        double amount = 0;
        double time = 0;
        for (int i = 0; i < rl.size(); i++) {
            amount += value.applyAsDouble(rl.get(i));
            time += seconds(rl, i);
        }
        return time > 0 ? amount / time : 0;
    }

    /** At each line, Σ {@code value} ÷ Σ time over it and the {@code window} − 1 lines before it. */
    static double[] rolling(List<StepMetrics> rl, int window, ToDoubleFunction<StepMetrics> value) {
        double[] rates = new double[rl.size()];
        double amount = 0;
        double time = 0;
        for (int i = 0; i < rl.size(); i++) {
            amount += value.applyAsDouble(rl.get(i));
            time += seconds(rl, i);
            if (i >= window) {
                amount -= value.applyAsDouble(rl.get(i - window));
                time -= seconds(rl, i - window);
            }
            rates[i] = time > 0 ? amount / time : 0;
        }
        return rates;
    }
}
