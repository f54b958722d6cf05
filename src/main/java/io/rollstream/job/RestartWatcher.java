package io.rollstream.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import io.rollstream.policy.PolicyFence;
import io.rollstream.policy.RunSignals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Puts a running job's automatic restarts on record ({@link RunEvents}): polled by the runner, it
 * reads the job's failure history from Flink's REST API ({@code GET /jobs/:id/exceptions}, one
 * entry per failure that restarted the job, with its stack trace), waits until the restarted
 * learner has fenced the policy store (which names the learner step it restored) and takes the
 * checkpoint Flink restored from {@code GET /jobs/:id/checkpoints} ({@code latest.restored}). Each
 * restart becomes one {@code restart} event and one console line. A resumed job's first fence
 * likewise completes its {@code resume} event.
 *
 * <p>Failures are recognised by their timestamps, so polling once a second sees every one that
 * Flink keeps in its history (the last {@code web.exception-history-size}, 16 by default, far more
 * than {@code job.restart_attempts} allows between two polls). The pipeline is one failover region,
 * so the job's k-th failure restarts every task as attempt k ({@link io.rollstream.policy.AttemptId}):
 * the learner fence of attempt k completes the k-th restart. A failure whose restart had not
 * restored yet when the job ended was the one that failed the job, or was cut short by it.
 */
final class RestartWatcher {

    /** Poll interval of the REST API. */
    static final long POLL_MILLIS = 1000;
    /** The cause as recorded: one line, at most this long. */
    static final int CAUSE_CHARS = 400;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String restUrl;
    private final String jobId;
    private final RunSignals signals;
    private final RunEvents events;
    private final Consumer<String> progress;
    /** Failures seen and not yet put on record, oldest first. */
    private final List<Failure> pending = new ArrayList<>();

    private long newestFailureMillis = -1;
    /** Failures of this job seen so far (the newest pending one is failure number {@code failures}). */
    private int failures;

    private long lastPollMillis;
    /** Restarts the run recorded, this job's and earlier jobs'. */
    private long restarts;
    /** The resume event to complete with the restored step, or null. */
    private Map<String, Object> resume;

    /** One failure of the job, from its exception history. */
    record Failure(long millis, String cause, String task) {}

    RestartWatcher(String restUrl, String jobId, RunSignals signals, RunEvents events, Consumer<String> progress) {
        this.restUrl = restUrl;
        this.jobId = jobId;
        this.signals = signals;
        this.events = events;
        this.progress = progress;
        try {
            this.restarts = events.count(RunEvents.RESTART);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + events.file(), e);
        }
    }

    /** The job restores {@code from}: its {@code resume} event is written once the learner has restored its step. */
    void expectResume(Map<String, Object> resumeEvent) {
        this.resume = new LinkedHashMap<>(resumeEvent);
    }

    /** Restarts the run has on record so far. */
    long restarts() {
        return restarts;
    }

    /**
     * Looks for new failures (at most once per {@link #POLL_MILLIS}) and, while some are pending,
     * for the restores that complete them (at every call).
     */
    void poll() {
        long now = System.currentTimeMillis();
        boolean waiting = !pending.isEmpty() || resume != null;
        if (!waiting && now - lastPollMillis < POLL_MILLIS) {
            return;
        }
        try {
            if (now - lastPollMillis >= POLL_MILLIS) {
                lastPollMillis = now;
                readFailures();
            }
            complete(true);
        } catch (IOException | RuntimeException e) {
            // The REST endpoint answers only while the job runs; the next poll (or the end) catches up.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The job has ended: the restores its learner's fence proves are recorded (the REST endpoint
     * may be gone with the job: then without the checkpoint); the failures still pending never
     * restored. When the job failed, the newest of them is the failure that ended it (the runner
     * reports it); the others are restarts cut short.
     */
    void ended(boolean failed) {
        try {
            readFailures();
        } catch (IOException | RuntimeException e) {
            // gone with the job
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            complete(false);
        } catch (IOException | InterruptedException | RuntimeException e) {
            // nothing more to learn
        }
        if (failed && !pending.isEmpty()) {
            pending.remove(pending.size() - 1);
        }
        recordUnreported();
        for (Failure f : pending) {
            restarts++;
            Map<String, Object> event = restartEvent(f);
            event.put("restored", "none: the job ended before the restart completed");
            events.append(RunEvents.RESTART, event);
            progress.accept("restart " + restarts + " (" + f.cause() + ") did not complete before the job ended");
        }
        pending.clear();
    }

    /**
     * Restarts the learner's fence proves but Flink's REST API never reported before the job ended
     * (its answers are cached for half a second, and a short job can end first): the fence of
     * attempt {@code a} means {@code a} restarts. They are recorded without their cause.
     */
    private void recordUnreported() {
        Optional<PolicyFence> fence;
        try {
            fence = ownFence();
        } catch (IOException e) {
            return;
        }
        int unreported = fence.map(RestartWatcher::attemptOf).orElse(0) - failures;
        for (int i = 1; i <= unreported; i++) {
            restarts++;
            failures++;
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("job", jobId);
            event.put("restart", restarts);
            event.put("cause", "not reported: the job ended before Flink's REST API listed the failure");
            if (i == unreported) {
                event.put("restored", "a checkpoint or the job's start: the job ended before Flink was asked");
                event.put("step", fence.get().step());
            }
            events.append(RunEvents.RESTART, event);
            progress.accept("restart " + restarts + ": " + event.get("cause"));
        }
    }

    /** Writes the resume event and the restarts that this job's newest learner fence completes. */
    private void complete(boolean restAvailable) throws IOException, InterruptedException {
        Optional<PolicyFence> fence = ownFence();
        if (fence.isEmpty()) {
            return;
        }
        if (resume != null) {
            resume.put("step", fence.get().step());
            events.append(RunEvents.RESUME, resume);
            resume = null;
        }
        if (!pending.isEmpty() && attemptOf(fence.get()) > failures - pending.size()) {
            Optional<JsonNode> restored = Optional.empty();
            if (restAvailable) {
                restored = restored();
            } else {
                try {
                    restored = restored();
                    restAvailable = true;
                } catch (IOException | RuntimeException gone) {
                    // recorded without the checkpoint
                }
            }
            record(fence.get(), restored, restAvailable);
        }
    }

    /**
     * The learner of attempt {@code a} has fenced: the pending failures up to the a-th are restarts
     * that took place; the a-th restored into this attempt. (An earlier one restored into an
     * attempt that failed again before a poll saw its fence.)
     */
    private void record(PolicyFence fence, Optional<JsonNode> restored, boolean restoredKnown) {
        int attempt = attemptOf(fence);
        int first = failures - pending.size() + 1; // the failure number of pending.get(0)
        List<Failure> done = new ArrayList<>(pending.subList(0, Math.min(pending.size(), attempt - first + 1)));
        pending.removeAll(done);
        Failure restoredHere = attempt - first + 1 <= done.size() ? done.get(done.size() - 1) : null;
        for (Failure f : done) {
            restarts++;
            Map<String, Object> event = restartEvent(f);
            if (f != restoredHere) {
                event.put("restored", "not observed: the job failed again within a second");
            } else {
                boolean fromCheckpoint = restored.isPresent()
                        && restored.get().path("restore_timestamp").asLong() >= f.millis();
                if (!restoredKnown) {
                    event.put("restored", "a checkpoint or the job's start: the job ended before Flink was asked");
                } else if (fromCheckpoint) {
                    event.put("restored_checkpoint", restored.get().path("id").asLong());
                    event.put(
                            "checkpoint_path",
                            restored.get().path("external_path").asText());
                    event.put(
                            "from_savepoint",
                            restored.get().path("is_savepoint").asBoolean());
                } else {
                    event.put("restored", "the job's start: no checkpoint had completed");
                }
                event.put("step", fence.step());
            }
            events.append(RunEvents.RESTART, event);
            String restoredWhat = event.containsKey("restored_checkpoint")
                    ? "restored checkpoint " + event.get("restored_checkpoint")
                    : "restored " + event.get("restored");
            progress.accept(String.format(
                    "restart %d: %s; %s%s",
                    restarts,
                    f.cause(),
                    restoredWhat,
                    event.containsKey("step") ? ", learner step " + event.get("step") : ""));
        }
    }

    /** The attempt number of a fence ({@code <job id>-<attempt>}). */
    private static int attemptOf(PolicyFence fence) {
        String attempt = fence.attempt();
        return Integer.parseInt(attempt.substring(attempt.lastIndexOf('-') + 1));
    }

    private Map<String, Object> restartEvent(Failure f) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("job", jobId);
        event.put("restart", restarts);
        event.put("failed_at", Instant.ofEpochMilli(f.millis()).toString());
        event.put("cause", f.cause());
        event.put("task", f.task());
        return event;
    }

    /** The fence of this job's current learner attempt, if it has fenced yet. */
    private Optional<PolicyFence> ownFence() throws IOException {
        return signals.fence().filter(f -> f.attempt().startsWith(jobId + "-"));
    }

    private void readFailures() throws IOException, InterruptedException {
        JsonNode entries =
                get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries");
        List<Failure> fresh = new ArrayList<>();
        for (JsonNode e : entries) {
            long millis = e.path("timestamp").asLong();
            if (millis > newestFailureMillis) {
                fresh.add(new Failure(
                        millis,
                        cause(
                                e.path("exceptionName").asText(),
                                e.path("stacktrace").asText()),
                        e.path("taskName").isNull() ? null : e.path("taskName").asText(null)));
            }
        }
        fresh.sort(Comparator.comparingLong(Failure::millis));
        for (Failure f : fresh) {
            pending.add(f);
            failures++;
            newestFailureMillis = f.millis();
        }
    }

    private Optional<JsonNode> restored() throws IOException, InterruptedException {
        JsonNode restored =
                get("/jobs/" + jobId + "/checkpoints").path("latest").path("restored");
        return restored.isMissingNode() || restored.isNull() ? Optional.empty() : Optional.of(restored);
    }

    /**
     * A failure's cause in one line: its root cause ("Caused by:" deepest in the trace, else the
     * first line), as {@code Class: message}.
     */
    static String cause(String exceptionName, String stacktrace) {
        String line = exceptionName;
        if (stacktrace != null && !stacktrace.isBlank()) {
            String[] lines = stacktrace.split("\\R");
            line = lines[0];
            for (String l : lines) {
                if (l.startsWith("Caused by: ")) {
                    line = l.substring("Caused by: ".length());
                }
            }
        }
        line = line.strip();
        return line.length() > CAUSE_CHARS ? line.substring(0, CAUSE_CHARS) + "…" : line;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(restUrl + path))
                        .timeout(Duration.ofSeconds(5))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("GET " + path + " answered " + response.statusCode());
        }
        return Json.mapper().readTree(response.body());
    }
}
