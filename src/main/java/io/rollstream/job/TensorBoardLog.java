package io.rollstream.job;

import io.rollstream.common.Json;
import io.rollstream.output.TensorBoardEvents;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * that cuts metrics.jsonl back rewrites steps already sent; TensorBoard keeps the newest.
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

    private TensorBoardLog(Path metrics, Path dir, long offset) {
        this.metrics = metrics;
        this.dir = dir;
        this.offset = offset;
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tensorboard-log");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::pollQuietly, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Starts following {@code metrics} into a new event file under {@code dir}: from its beginning
     * for a new run, from its current end for a resumed one (the earlier attempts' event files hold
     * the lines before).
     */
    static TensorBoardLog follow(Path metrics, Path dir, boolean resumed) throws IOException {
        long start = resumed && Files.exists(metrics) ? Files.size(metrics) : 0;
        return new TensorBoardLog(metrics, dir, start);
    }

    /** The scalars of one metrics line: every number but its coordinates. */
    static Map<String, Double> scalars(JsonNode line) {
        String phase = line.path("phase").asText("rl");
        Map<String, Double> scalars = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = line.fields(); fields.hasNext();) {
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

    /** Sends the complete lines appended since the last poll. */
    synchronized void poll() throws IOException {
        if (!Files.exists(metrics)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(metrics, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < offset) {
                offset = size; // a restore or a resume cut the file back: its next lines redo those steps
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE, size - offset));
            while (buffer.hasRemaining() && channel.read(buffer, offset + buffer.position()) > 0) {
                // read to the end seen
            }
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n') + 1; // a line without its newline is still being written
            for (String line : text.substring(0, end).split("\n")) {
                if (!line.isBlank()) {
                    send(Json.mapper().readTree(line));
                }
            }
            offset += text.substring(0, end).getBytes(StandardCharsets.UTF_8).length;
        }
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
