package io.rollstream.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import io.rollstream.policy.PolicyStore;
import io.rollstream.policy.RunSignals;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/**
 * Lets a second process control a running job: the runner writes {@code job.json} (job id and the
 * mini-cluster's REST address) into the run directory while the job runs — {@link ClusterJob}
 * writes it for a cluster job, with the cluster's REST address — and {@link #stop} stops
 * that job with a savepoint through Flink's REST API ({@code POST /jobs/:id/stop}, then polling
 * {@code GET /jobs/:id/savepoints/:trigger}), as {@code rollstream stop RUN} does, telling the
 * generators through the policy store that a stop is under way ({@link RunSignals#requestStop}).
 */
public final class RunControl {

    static final String FILE = "job.json";

    /**
     * What {@code job.json} holds.
     *
     * @param cluster whether the job runs on a session cluster ({@link ClusterJob}), not under a local runner
     */
    public record JobHandle(String jobId, String restUrl, String savepointDir, String policyStore, boolean cluster) {}

    private RunControl() {}

    static void publish(Path runDir, JobHandle handle) throws IOException {
        Path temp = runDir.resolve(FILE + ".tmp");
        Files.write(temp, Json.mapper().writeValueAsBytes(handle));
        Files.move(temp, runDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static void withdraw(Path runDir) throws IOException {
        Files.deleteIfExists(runDir.resolve(FILE));
    }

    /** The running job of {@code runDir}. */
    public static JobHandle handle(Path runDir) throws IOException {
        Path file = runDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(runDir + " has no running job (no " + FILE + "): is the run still going,"
                    + " and is this its run directory?");
        }
        return Json.mapper().readValue(file.toFile(), JobHandle.class);
    }

    /**
     * Stops the job of {@code runDir} with a savepoint in its savepoint directory.
     *
     * @return the savepoint's path
     */
    public static String stop(Path runDir, Duration timeout) throws IOException, InterruptedException {
        JobHandle job = handle(runDir);
        // HTTP/1.1: Flink's REST server closes connections that ask for an h2c upgrade.
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        String body = Json.mapper().writeValueAsString(Map.of("targetDirectory", job.savepointDir(), "drain", false));
        // First let the generators park what cannot be admitted at once, so the barrier is not held up
        // by problems waiting for the admission gate, and pause the source, so there is little to park
        // (the trigger itself answers only once the barrier is under way, which can take a while).
        RunSignals signals = new RunSignals(new PolicyStore(job.policyStore()));
        signals.requestStop();
        JsonNode trigger;
        try {
            trigger = send(
                    http,
                    HttpRequest.newBuilder(URI.create(job.restUrl() + "/jobs/" + job.jobId() + "/stop"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build());
        } catch (IOException | RuntimeException e) {
            signals.clearStopRequest();
            throw e;
        }
        String savepoint;
        try {
            savepoint = awaitSavepoint(http, job, trigger.path("request-id").asText(), timeout);
        } catch (IOException | RuntimeException | InterruptedException e) {
            signals.clearStopRequest(); // the job goes on: its source and generators must not stay paused
            throw e;
        }
        RunEvents.of(RunPaths.under(runDir, null))
                .append(
                        RunEvents.STOP,
                        RunEvents.fields("phase", "rl", "reason", "rollstream stop", "savepoint", savepoint));
        return stopped(runDir, job, signals, savepoint);
    }

    /** Whether the run of {@code runDir} is in its SFT warm start: a live launcher trains, no job runs yet. */
    public static boolean inWarmStart(Path runDir) throws IOException {
        return !Files.exists(runDir.resolve(FILE)) && new SftState(RunPaths.under(runDir, null), null).isRunning();
    }

    /**
     * Stops the SFT warm start of {@code runDir}: asks it to save its state and end, and waits until
     * it has.
     *
     * @return the saved state's path; empty when the warm start finished before it saw the request
     *     (the RL job is starting: stop that)
     */
    public static Optional<String> stopWarmStart(Path runDir, Duration timeout)
            throws IOException, InterruptedException {
        RunPaths paths = RunPaths.under(runDir, null);
        SftState sft = new SftState(paths, null);
        Instant requested = Instant.now();
        sft.requestStop();
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (sft.isRunning()) {
            if (System.currentTimeMillis() > deadline) {
                throw new IOException("the SFT warm start of " + runDir + " did not save its state within " + timeout
                        + " (a step of a large model takes long): wait, or give a longer --timeout-s");
            }
            Thread.sleep(200);
        }
        for (JsonNode event : RunEvents.of(paths).read()) {
            if (RunEvents.STOP.equals(event.path("event").asText())
                    && "sft".equals(event.path("phase").asText())
                    && !Instant.parse(event.path("time").asText()).isBefore(requested.minusSeconds(1))) {
                return Optional.of(event.path("state").asText());
            }
        }
        return Optional.empty();
    }

    /** Polls the stop's savepoint until it is complete; returns its location. */
    private static String awaitSavepoint(HttpClient http, JobHandle job, String triggerId, Duration timeout)
            throws IOException, InterruptedException {
        long requested = System.currentTimeMillis();
        long deadline = requested + timeout.toMillis();
        while (System.currentTimeMillis() < deadline) {
            JsonNode status;
            try {
                status = send(
                        http,
                        HttpRequest.newBuilder(
                                        URI.create(job.restUrl() + "/jobs/" + job.jobId() + "/savepoints/" + triggerId))
                                .GET()
                                .build());
            } catch (IOException gone) {
                // A local mini-cluster shuts down as soon as its job has stopped: then the savepoint is
                // the newest complete one written since the request.
                return savepointSince(job, requested).orElseThrow(() -> gone);
            }
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode operation = status.path("operation");
                if (operation.has("failure-cause")) {
                    // The runner may have stopped the job itself meanwhile (the learner finished): its
                    // savepoint serves as well once it is there.
                    Thread.sleep(2000);
                    String failure = "stop with savepoint failed: " + operation.path("failure-cause");
                    return savepointSince(job, requested).orElseThrow(() -> new IOException(failure));
                }
                return operation.path("location").asText();
            }
            Thread.sleep(250);
        }
        throw new IOException("the savepoint of job " + job.jobId() + " did not complete within " + timeout);
    }

    /**
     * A cluster job has no runner to tidy up after it: its handle and the stop request go once its
     * savepoint is complete. (A local runner does both itself when its job ends.)
     */
    private static String stopped(Path runDir, JobHandle job, RunSignals signals, String savepoint) throws IOException {
        if (job.cluster()) {
            withdraw(runDir);
            signals.clearStopRequest();
        }
        return savepoint;
    }

    private static Optional<String> savepointSince(JobHandle job, long requestedMillis) throws IOException {
        Path dir = ResumePoint.localPath(job.savepointDir());
        if (dir == null || !Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (var savepoints = Files.list(dir)) {
            return savepoints
                    .filter(p -> Files.isRegularFile(p.resolve("_metadata")))
                    .filter(p -> p.resolve("_metadata").toFile().lastModified() >= requestedMillis - 1000)
                    .max(Comparator.comparingLong(
                            p -> p.resolve("_metadata").toFile().lastModified()))
                    .map(Path::toString);
        }
    }

    private static JsonNode send(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(request.method() + " " + request.uri() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return Json.mapper().readTree(response.body());
    }
}
