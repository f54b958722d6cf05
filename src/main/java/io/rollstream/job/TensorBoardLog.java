package io.rollstream.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import io.rollstream.output.TensorBoardEvents;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The run's {@code metrics.jsonl} as TensorBoard scalars, in {@code <run_dir>/tensorboard/}: every
 * number of every line under {@code <phase>/<key>} ({@code rl/reward_mean}, {@code sft/loss}, ...)
 * at the step as a person counts it ({@code step} + 1: the policy version an RL step published).
 * It follows the file while the run goes on — once a second, and once more when closed — so the
 * job writes nothing of its own and the events hold exactly what metrics.jsonl holds. A restore
 * that cuts metrics.jsonl back makes it send steps again; TensorBoard keeps the newest.
 */
final class TensorBoardLog implements AutoCloseable {

    /** Fields of a line that are its coordinates, not scalars. */
    private static final Set<String> NOT_SCALARS = Set.of("phase", "step", "policy_version");

    private final Path metrics;
    private final Path dir;
    /** Made with the first scalar: an attempt that records nothing (a refused resume) leaves no file. */
    private TensorBoardEvents events;

    private final ScheduledExecutorService poller;
    private long offset;
    /** The last line read, its newline included: still there at {@code offset} unless the file was cut back. */
    private byte[] lastLine = new byte[0];

    private TensorBoardLog(Path metrics, Path dir) {
        this.metrics = metrics;
        this.dir = dir;
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tensorboard-log");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts following {@code metrics} into a new event file under {@code dir}: from its beginning
     * for a new run, from its current end for a resumed one (the earlier attempts' event files hold
     * the lines before).
     */
    static TensorBoardLog follow(Path metrics, Path dir, boolean resumed) throws IOException {
        TensorBoardLog log = new TensorBoardLog(metrics, dir);
        if (resumed && Files.exists(metrics)) {
            byte[] all = Files.readAllBytes(metrics);
            int end = all.length;
            while (end > 0 && all[end - 1] != '\n') {
                end--; // a torn last line: the resume cuts it
            }
            int lineStart = end - 1;
            while (lineStart > 0 && all[lineStart - 1] != '\n') {
                lineStart--;
            }
            log.offset = end;
            log.lastLine = Arrays.copyOfRange(all, Math.max(0, lineStart), end);
        }
        log.poller.scheduleWithFixedDelay(log::pollQuietly, 1, 1, TimeUnit.SECONDS);
        return log;
    }

    /** The scalars of one metrics line: every number but its coordinates. */
    static Map<String, Double> scalars(JsonNode line) {
        String phase = line.path("phase").asText("rl");
        Map<String, Double> scalars = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = line.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getValue().isNumber() && !NOT_SCALARS.contains(f.getKey())) {
                scalars.put(phase + "/" + f.getKey(), f.getValue().asDouble());
            }
        }
        return scalars;
    }

    private void pollQuietly() {
        try {
            poll();
        } catch (IOException | RuntimeException e) {
            // a line half-written or a file being cut back: the next poll reads it whole
        }
    }

    /**
     * Sends the complete lines appended since the last poll. A file that no longer ends its read
     * part with the line last read was cut back (a restore, a resume) and has grown again: it is
     * read from its beginning once more, and TensorBoard replaces the steps it receives again. A
     * line that does not parse (a killed writer's torn line) is skipped, as every reader of the
     * record files skips it.
     */
    synchronized void poll() throws IOException {
        if (!Files.exists(metrics)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(metrics, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < offset || !Arrays.equals(read(channel, offset - lastLine.length, lastLine.length), lastLine)) {
                offset = 0;
                lastLine = new byte[0];
            }
            byte[] fresh = read(channel, offset, (int) Math.min(Integer.MAX_VALUE, size - offset));
            int end = fresh.length;
            while (end > 0 && fresh[end - 1] != '\n') {
                end--; // a line without its newline is still being written
            }
            int from = 0;
            for (int i = 0; i < end; i++) {
                if (fresh[i] == '\n') {
                    sendLine(new String(fresh, from, i - from, StandardCharsets.UTF_8));
                    lastLine = Arrays.copyOfRange(fresh, from, i + 1);
                    from = i + 1;
                }
            }
            offset += end;
        }
    }

    private static byte[] read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining() && channel.read(buffer, position + buffer.position()) > 0) {
            // to the end seen
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    private void sendLine(String line) throws IOException {
        if (line.isBlank()) {
            return;
        }
        JsonNode json;
        try {
            json = Json.mapper().readTree(line);
        } catch (JsonProcessingException torn) {
            return;
        }
        send(json);
    }

    private void send(JsonNode line) throws IOException {
        Map<String, Double> scalars = scalars(line);
        if (!scalars.isEmpty()) {
            if (events == null) {
                events = TensorBoardEvents.create(dir);
            }
            events.scalars(line.path("step").asLong() + 1, System.currentTimeMillis() / 1000.0, scalars);
        }
    }

    @Override
    public void close() throws IOException {
        poller.shutdown();
        try {
            poller.awaitTermination(10, TimeUnit.SECONDS);
            poll(); // the lines written since the last poll
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (events != null) {
                events.close();
            }
        }
    }
}
