package io.rollstream.metrics;

import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.apache.flink.metrics.prometheus.AbstractPrometheusReporter;
import org.apache.flink.metrics.prometheus.PrometheusRegistryAccess;

/**
 * Flink's Prometheus reporter (its metric names, labels and text format:
 * {@link AbstractPrometheusReporter}) served at {@code http://127.0.0.1:PORT/metrics} only. Flink's
 * own {@code PrometheusReporter} listens on every interface and cannot be told otherwise; a local
 * run listens on loopback only.
 */
public final class LoopbackPrometheusReporter extends AbstractPrometheusReporter {

    private final HTTPServer server;

    LoopbackPrometheusReporter(int port) {
        try {
            server = new HTTPServer(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                    PrometheusRegistryAccess.registry(this),
                    true);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot serve Prometheus metrics on "
                            + InetAddress.getLoopbackAddress().getHostAddress() + ":" + port
                            + " (job.prometheus_port): is the port taken?",
                    e);
        }
        log.info(
                "Serving Prometheus metrics on http://{}:{}/metrics",
                InetAddress.getLoopbackAddress().getHostAddress(),
                server.getPort());
    }

    @Override
    public void close() {
        server.stop();
        super.close();
    }
}
