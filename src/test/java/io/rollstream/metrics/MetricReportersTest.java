package io.rollstream.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** The Prometheus reporter is configured under the keys Flink's reporter setup reads. */
class MetricReportersTest {

    @Test
    void aPortTurnsTheLoopbackReporterOnUnderFlinksReporterKeys() {
        Configuration conf = new Configuration();
        MetricReporters.addPrometheus(conf, 9249);
        assertThat(conf.toMap())
                .containsEntry("metrics.reporter.prom.factory.class", LoopbackPrometheusReporterFactory.class.getName())
                .containsEntry("metrics.reporter.prom.port", "9249");
    }

    @Test
    void portZeroLeavesItOff() {
        Configuration conf = new Configuration();
        MetricReporters.addPrometheus(conf, 0);
        assertThat(conf.toMap()).isEmpty();
    }
}
