package io.rollstream.report;

import com.fasterxml.jackson.databind.JsonNode;

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
    static double seconds(List<JsonNode> rl, int i) {
        JsonNode m = rl.get(i);
        if (i > 0 && m.has("time_s") && rl.get(i - 1).has("time_s")) {
            double between = m.path("time_s").asDouble() - rl.get(i - 1).path("time_s").asDouble();
            if (between > 0) {
                return between;
            }
        }
        return m.path("learner_wait_s").asDouble() + m.path("step_time_s").asDouble();
    }

    /** Tokens the learner trained on in step {@code m} (its rate times its step time, as the rate was made). */
    static double learnerTokens(JsonNode m) {
        return m.path("learner_tokens_per_s").asDouble() * m.path("step_time_s").asDouble();
    }

    /** Σ {@code value} over the lines ÷ their total time: the rate over the whole run. */
    static double total(List<JsonNode> rl, ToDoubleFunction<JsonNode> value) {
        double amount = 0;
        double time = 0;
        for (int i = 0; i < rl.size(); i++) {
            amount += value.applyAsDouble(rl.get(i));
            time += seconds(rl, i);
        }
        return time > 0 ? amount / time : 0;
    }

    /** At each line, Σ {@code value} ÷ Σ time over it and the {@code window} − 1 lines before it. */
    static double[] rolling(List<JsonNode> rl, int window, ToDoubleFunction<JsonNode> value) {
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
