package org.apache.flink.metrics.prometheus;

import io.prometheus.client.CollectorRegistry;

/**
 * The collector registry of one of Flink's Prometheus reporters, which Flink keeps package-private:
 * {@link io.rollstream.metrics.LoopbackPrometheusReporter} serves it on loopback, where Flink's own
 * {@link PrometheusReporter} binds every interface and has no option to bind one. Rollstream's only
 * class in a Flink package; a Flink upgrade that renames the field fails the build here.
 */
public final class PrometheusRegistryAccess {

    private PrometheusRegistryAccess() {}

    public static CollectorRegistry registry(AbstractPrometheusReporter reporter) {
        return reporter.registry;
    }
}
