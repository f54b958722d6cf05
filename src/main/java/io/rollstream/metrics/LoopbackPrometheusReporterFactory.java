package io.rollstream.metrics;

import java.util.Properties;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/** Creates {@link LoopbackPrometheusReporter}s ({@code metrics.reporter.NAME.port}); Flink finds it in META-INF/services. */
public final class LoopbackPrometheusReporterFactory implements MetricReporterFactory {

    /** The reporter's option: the port to serve on. */
    static final ConfigOption<Integer> PORT =
            ConfigOptions.key("port").intType().noDefaultValue().withDescription("the port to serve on, on 127.0.0.1");

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        String port = properties.getProperty(PORT.key());
        if (port == null) {
            throw new IllegalArgumentException(
                    "the loopback Prometheus reporter needs metrics.reporter.<name>." + PORT.key());
        }
        return new LoopbackPrometheusReporter(Integer.parseInt(port));
    }
}
