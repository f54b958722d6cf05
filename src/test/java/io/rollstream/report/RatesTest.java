package io.rollstream.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rollstream.common.Json;
import io.rollstream.types.StepMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;

class RatesTest {

    private static StepMetrics line(String json) throws Exception {
        return Json.mapper().readValue(json.replace("{", "{\"phase\":\"rl\","), StepMetrics.class);
    }

    /**
     * The case the quickstart showed: most steps take a second for 2,000 tokens, one step's batch was
     * ready at once (1 ms, 768 tokens). The mean of per-step rates is pulled to ~193,000 tokens/s;
     * the rate over the run's time stays 2,000 tokens/s.
     */
    @Test
    void theRunsRateIsItsTokensOverItsTimeNotTheMeanOfPerStepRates() throws Exception {
        List<StepMetrics> rl = List.of(
                line("{\"step\":0,\"rollout_tokens\":2000,\"learner_wait_s\":0.5,\"step_time_s\":0.5}"),
                line("{\"step\":1,\"rollout_tokens\":2000,\"learner_wait_s\":0.5,\"step_time_s\":0.5}"),
                line("{\"step\":2,\"rollout_tokens\":768,\"learner_wait_s\":0.0,\"step_time_s\":0.001}"),
                line("{\"step\":3,\"rollout_tokens\":2000,\"learner_wait_s\":0.5,\"step_time_s\":0.5}"));
        double meanOfRates = (2000 + 2000 + 768 / 0.001 + 2000) / 4;
        assertThat(meanOfRates).isGreaterThan(190_000);
        assertThat(Rates.total(rl, Metric.ROLLOUT_TOKENS::of)).isCloseTo(6768 / 3.001, within(1e-6));
        double[] rolling = Rates.rolling(rl, 2, Metric.ROLLOUT_TOKENS::of);
        assertThat(rolling[0]).isCloseTo(2000, within(1e-9));
        assertThat(rolling[1]).isCloseTo(2000, within(1e-9));
        assertThat(rolling[2]).isCloseTo(2768 / 1.001, within(1e-6)); // steps 1 and 2 only
        assertThat(rolling[3]).isCloseTo(2768 / 1.001, within(1e-6)); // steps 2 and 3
    }

    @Test
    void timeBetweenLinesComesFromTimeSWhenBothHaveIt() throws Exception {
        List<StepMetrics> rl = List.of(
                line("{\"step\":0,\"time_s\":10.0,\"learner_wait_s\":1,\"step_time_s\":1}"),
                line("{\"step\":1,\"time_s\":13.5,\"learner_wait_s\":1,\"step_time_s\":1}"));
        assertThat(Rates.seconds(rl, 0)).isEqualTo(2.0); // nothing before it: its wait and step
        assertThat(Rates.seconds(rl, 1)).isEqualTo(3.5); // evaluation, publishing: all of the time between
    }
}
