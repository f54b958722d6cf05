package io.rollstream.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code events.jsonl}: the history of a run's attempts, one JSON line per event with its
 * {@code time} and {@code event} — {@code start} (a phase begins from scratch), {@code restart}
 * (an automatic restart: its cause in one line, the restored checkpoint and learner step),
 * {@code stop}, {@code resume}, {@code finish} and {@code failed}. Unlike the record files
 * (metrics, rollouts), which a restore cuts back to its checkpoint, this file is only ever appended
 * to: it keeps what the restores discard.
 *
 * <p>Several processes may append (the run and {@code rollstream stop}): each line is one write to
 * a file opened for appending, which the local file system does atomically.
 */
public final class RunEvents {

    public static final String FILE = "events.jsonl";

    public static final String START = "start";
    public static final String RESTART = "restart";
    public static final String STOP = "stop";
    public static final String RESUME = "resume";
    public static final String FINISH = "finish";
    public static final String FAILED = "failed";

    private final Path file;

    public RunEvents(Path file) {
        this.file = file;
    }

    public static RunEvents of(RunPaths paths) {
        return new RunEvents(paths.events());
    }

    /** Appends {@code {"time": now, "event": event, ...fields}}; null fields are left out. */
    public synchronized void append(String event, Map<String, ?> fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("event", event);
        fields.forEach((k, v) -> {
            if (v != null) {
                line.put(k, v);
            }
        });
        try {
            byte[] bytes = (Json.mapper().writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
            if (endsTorn(file)) {
                bytes = ("\n" + new String(bytes, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            }
            try (FileChannel channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    /** Whether the file ends inside a line: a writer was killed mid-line, and the next line must not join it. */
    private static boolean endsTorn(Path file) throws IOException {
        if (!Files.exists(file)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer last = ByteBuffer.allocate(1);
            return size > 0 && channel.read(last, size - 1) == 1 && last.get(0) != '\n';
        }
    }

    /** An event's fields from key, value pairs, in order (null values are left out of the line). */
    public static Map<String, Object> fields(Object... keysAndValues) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            fields.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return fields;
    }

    /** Every event so far, oldest first; a torn last line (the process was killed mid-write) is skipped. */
    public List<JsonNode> read() throws IOException {
        List<JsonNode> events = new ArrayList<>();
        if (!Files.exists(file)) {
            return events;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                events.add(Json.mapper().readTree(line));
            } catch (IOException torn) {
                // only the last line of a killed writer can be incomplete: nothing to count
            }
        }
        return events;
    }

    /** How many {@code event} events the run has recorded. */
    public long count(String event) throws IOException {
        return read().stream()
                .filter(e -> event.equals(e.path("event").asText()))
                .count();
    }

    /** The newest event, if any. */
    public Optional<JsonNode> last() throws IOException {
        List<JsonNode> events = read();
        return events.isEmpty() ? Optional.empty() : Optional.of(events.get(events.size() - 1));
    }

    /**
     * How the attempt before a resume ended: its last event when that was a {@code stop} or a
     * {@code finish}, {@code "interruption"} otherwise (the process was killed or crashed).
     */
    String endOfPreviousAttempt() throws IOException {
        return last().map(e -> e.path("event").asText())
                .filter(e -> e.equals(STOP) || e.equals(FINISH))
                .orElse("interruption");
    }

    public Path file() {
        return file;
    }
}
