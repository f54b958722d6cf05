package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stage metrics as a user sees them: the real pipeline on the runner's mini-cluster, its
 * {@code rollstream.*} operator metrics read after every learner step through the REST API that the
 * Flink web UI shows them from. Every stage's metrics are there and they move while the job runs.
 * With {@code job.prometheus_port} set, Flink's Prometheus reporter serves on that port.
 */
@Tag("djl")
class PipelineMetricsITCase {

    /** Metrics every run shows, as {@code <stage>.<name>}. */
    private static final List<String> EXPECTED = List.of(
            "rollout.groups_admitted",
            "rollout.groups_completed",
            "rollout.completion_tokens",
            "rollout.tokens_per_s",
            "rollout.groups_in_flight",
            "rollout.policy_version",
            "rollout.pool_easy",
            "rollout.pool_normal",
            "rollout.pool_hard",
            "batch.groups_received",
            "batch.groups_trained",
            "batch.batches_cut",
            "batch.groups_dropped_zero_advantage",
            "batch.groups_dropped_stale",
            "batch.groups_waiting",
            "batch.batch_fill",
            "batch.generation_efficiency",
            "batch.rollout_tokens_per_trained_token",
            "rollout.problems_queued",
            "rollout.expected_useful_in_flight",
            "learner.total_generation_efficiency",
            "learner.total_rollout_tokens_per_trained_token",
            "learner.steps",
            "learner.policy_version",
            "learner.loss",
            "learner.reward_mean",
            "learner.grad_norm",
            "learner.step_time_s",
            "learner.staleness_mean",
            "learner.staleness_max",
            "learner.eval_accuracy");

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path runDir;

    @Test
    void everyStageShowsItsMetricsAndTheyChangeWhileTheJobRuns() throws Exception {
        PipelineFixtures.Knobs knobs = new PipelineFixtures.Knobs(
                1, 16, 2.0, 1, 2, 40, null,
                null); // 40 steps: long enough for the web UI's 1 s metric refresh under load
        PipelinePlan plan = PipelineFixtures.plan(runDir, knobs);
        int[] ports = freePorts();
        int rest = ports[0];
        int prometheus = ports[1];
        List<Map<String, Double>> scrapes = new CopyOnWriteArrayList<>();
        Map<String, Double> webUi = new ConcurrentHashMap<>();
        String[] jobId = new String[1];
        // Scrapes Prometheus every 50 ms while the job runs, as a dashboard would, and reads the web
        // UI's view (the REST API, refreshed every metrics.fetcher.update-interval).
        AtomicBoolean running = new AtomicBoolean(true);
        List<String> misses = new CopyOnWriteArrayList<>();
        // Two watchers, so that slow REST reads never hold back the scrapes.
        Thread scraper = watcher(
                plan,
                jobId,
                running,
                50,
                () -> {
                    Map<String, Double> scrape = prometheusSamples(prometheus);
                    // kept once every operator has registered all its metrics
                    if (scrape.keySet()
                            .containsAll(EXPECTED.stream()
                                    .map(k -> k.replace('.', '_'))
                                    .toList())) {
                        scrapes.add(scrape);
                    }
                },
                misses);
        Thread webUiReader =
                watcher(plan, jobId, running, 200, () -> webUi.putAll(rollstreamMetrics(rest, jobId[0])), misses);
        try {
            PipelineRunner.run(
                    plan,
                    PipelineFixtures.io(plan, 11, 0),
                    PipelineRunner.Settings.inRunDirectory(true, rest, plan.slots(), 2_000, null, 3)
                            .withPrometheus(prometheus),
                    line -> {
                        if (line.startsWith("job ")) {
                            jobId[0] = line.split(" ")[1];
                        }
                    });
        } finally {
            running.set(false);
            scraper.join();
            webUiReader.join();
        }

        // The web UI lists every stage's metrics under rollstream.<stage>.
        assertThat(webUi)
                .as("metrics read from the REST API; failed reads: %s", misses)
                .containsKeys(EXPECTED.toArray(String[]::new));
        assertThat(webUi).doesNotContainKey("learner.kl_mean"); // GRPO has no KL to a teacher

        // Prometheus serves the same metrics, and they move while the job runs.
        assertThat(scrapes)
                .as("scrapes while running; failed reads: %s", misses)
                .hasSizeGreaterThanOrEqualTo(2);
        Map<String, Double> first = scrapes.get(0);
        Map<String, Double> last = scrapes.get(scrapes.size() - 1);
        assertThat(last.keySet())
                .containsAll(
                        webUi.keySet().stream().map(k -> k.replace('.', '_')).toList());
        // A scrape reads metric after metric while the job updates them: related values may be one
        // update apart.
        assertThat(first.get("learner_steps")).isLessThan(last.get("learner_steps"));
        assertThat(last.get("learner_policy_version")).isCloseTo(last.get("learner_steps"), within(1.0));
        assertThat(first.get("batch_batches_cut")).isLessThan(last.get("batch_batches_cut"));
        assertThat(first.get("rollout_groups_admitted")).isLessThan(last.get("rollout_groups_admitted"));
        assertThat(first.get("rollout_completion_tokens")).isLessThan(last.get("rollout_completion_tokens"));
        assertThat(last.get("batch_groups_trained"))
                .isCloseTo(4 * last.get("batch_batches_cut"), within(4.0)); // 4 a batch
        assertThat(last.get("batch_groups_received")).isGreaterThanOrEqualTo(last.get("batch_groups_trained"));
        assertThat(last.get("batch_generation_efficiency")).isBetween(0.0, 1.0);
        assertThat(last.get("batch_rollout_tokens_per_trained_token")).isGreaterThanOrEqualTo(1.0);
        assertThat(last.get("rollout_pool_normal") + last.get("rollout_pool_easy") + last.get("rollout_pool_hard"))
                .isPositive();
    }

    /** {@code rollstream_*} samples of the Prometheus endpoint, keyed by {@code <stage>_<name>}. */
    private Map<String, Double> prometheusSamples(int port) {
        String prefix = "flink_taskmanager_job_task_operator_rollstream_";
        Map<String, Double> samples = new HashMap<>();
        for (String line : get("http://localhost:" + port + "/metrics").split("\n")) {
            if (line.startsWith(prefix)) {
                samples.put(
                        line.substring(prefix.length(), line.indexOf('{')),
                        Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return samples;
    }

    /** A started thread running {@code read} every {@code millis} while the job runs; failed reads go to misses. */
    private static Thread watcher(
            PipelinePlan plan, String[] jobId, AtomicBoolean running, long millis, Runnable read, List<String> misses) {
        Thread t = new Thread(() -> {
            while (running.get()) {
                if (jobId[0] != null && !finished(plan)) {
                    try {
                        read.run();
                    } catch (IllegalStateException notYetOrGone) {
                        misses.add(notYetOrGone.getMessage());
                    }
                }
                sleep(millis);
            }
        });
        t.start();
        return t;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean finished(PipelinePlan plan) {
        try {
            return plan.signals().isFinished();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every {@code rollstream.*} metric of the job's vertices, keyed by {@code <stage>.<name>}. */
    private Map<String, Double> rollstreamMetrics(int port, String jobId) {
        try {
            String base = "http://localhost:" + port + "/jobs/" + jobId + "/vertices/";
            Map<String, Double> values = new HashMap<>();
            for (JsonNode vertex : Json.mapper()
                    .readTree(get("http://localhost:" + port + "/jobs/" + jobId))
                    .path("vertices")) {
                List<String> ids = new ArrayList<>();
                for (JsonNode m :
                        Json.mapper().readTree(get(base + vertex.path("id").asText() + "/metrics"))) {
                    if (m.path("id").asText().contains(".rollstream.")) {
                        ids.add(m.path("id").asText());
                    }
                }
                if (ids.isEmpty()) {
                    continue;
                }
                String query = URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8);
                for (JsonNode m :
                        Json.mapper().readTree(get(base + vertex.path("id").asText() + "/metrics?get=" + query))) {
                    String id = m.path("id").asText();
                    values.put(
                            id.substring(id.indexOf(".rollstream.") + ".rollstream.".length()),
                            Double.parseDouble(m.path("value").asText()));
                }
            }
            return values;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the job's metrics from the REST API on port " + port, e);
        }
    }

    private String get(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (Exception e) {
            throw new IllegalStateException("GET " + url + " failed", e);
        }
    }

    /** Two distinct free ports (both sockets are open while they are picked). */
    private static int[] freePorts() throws Exception {
        try (ServerSocket a = new ServerSocket(0);
                ServerSocket b = new ServerSocket(0)) {
            return new int[] {a.getLocalPort(), b.getLocalPort()};
        }
    }
}
