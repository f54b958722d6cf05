package io.rollstream.metrics;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;

/**
 * Flink metric reporters a run can turn on. Every registered metric (Flink's own and
 * {@code rollstream.*}) goes to each configured reporter; the web UI reads them independently of
 * any reporter.
 */
public final class MetricReporters {

    /** Reporter name in Flink's configuration: {@code metrics.reporter.prom.*}. */
    public static final String PROMETHEUS = "prom";

    private MetricReporters() {}

    /**
     * Serves every metric for Prometheus to scrape at {@code http://127.0.0.1:<port>/metrics} (Flink's
     * {@code flink-metrics-prometheus} format, on loopback only: {@link LoopbackPrometheusReporter});
     * port 0 leaves the reporter off.
     */
    public static void addPrometheus(Configuration conf, int port) {
        if (port <= 0) {
            return;
        }
        Configuration reporter = MetricOptions.forReporter(conf, PROMETHEUS);
        reporter.set(MetricOptions.REPORTER_FACTORY_CLASS, LoopbackPrometheusReporterFactory.class.getName());
        reporter.set(LoopbackPrometheusReporterFactory.PORT, port);
    }
}
