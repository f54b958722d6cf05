package io.rollstream.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the JSON-lines files {@link JsonLinesSink} writes ({@code metrics.jsonl}, {@code
 * rollouts.jsonl}, ...), also while a running job appends to them: a last line without its newline
 * is a line still being written and is left out; any other line that is not JSON is an error naming
 * the file and line. {@link #read} reads a whole file; a {@link Tail} reads what was appended since
 * its previous poll.
 */
public final class JsonLines {

    private JsonLines() {}

    /** Every complete line of {@code file}, parsed; blank lines are skipped. */
    public static List<JsonNode> read(Path file) throws IOException {
        return read(file, JsonNode.class);
    }

    /** Every complete line of {@code file} as a {@code type} (Jackson); blank lines are skipped. */
    public static <T> List<T> read(Path file, Class<T> type) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        List<T> out = new ArrayList<>();
        // The piece after the last newline is empty, or a line still being written: never read.
        for (int i = 0; i < lines.length - 1; i++) {
            if (!lines[i].isBlank()) {
                out.add(parse(file, i + 1, lines[i], type));
            }
        }
        return out;
    }

    /** {@link #read}, or no lines when {@code file} does not exist (yet). */
    public static List<JsonNode> readIfExists(Path file) throws IOException {
        return readIfExists(file, JsonNode.class);
    }

    /** {@link #read(Path, Class)}, or no lines when {@code file} does not exist (yet). */
    public static <T> List<T> readIfExists(Path file, Class<T> type) throws IOException {
        return Files.exists(file) ? read(file, type) : List.of();
    }

    private static <T> T parse(Path file, long lineNumber, String line, Class<T> type) {
        try {
            return Json.mapper().readValue(line, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    file + " line " + lineNumber + " is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The lines appended to a file since the previous poll, reading only the new bytes. When the file
     * got shorter (a restore cut it back to its checkpoint), the tail goes on from its new end.
     */
    public static final class Tail {
        private final Path file;
        /** Bytes after the last newline read so far: a line still being written. */
        private byte[] partial = new byte[0];

        private long offset;
        private long linesRead;

        private Tail(Path file) {
            this.file = file;
        }

        /** A tail that returns every line, those already in the file first. */
        public static Tail fromStart(Path file) {
            return new Tail(file);
        }

        /** A tail that returns only the lines appended from now on. */
        public static Tail fromEnd(Path file) throws IOException {
            Tail tail = new Tail(file);
            if (Files.exists(file)) {
                byte[] bytes = Files.readAllBytes(file);
                tail.offset = lastNewline(bytes) + 1; // a line still being written is read once complete
                tail.linesRead = countNewlines(bytes);
            }
            return tail;
        }

        /** The complete lines appended since the previous poll, parsed; blank lines are skipped. */
        public List<JsonNode> poll() throws IOException {
            return poll(JsonNode.class);
        }

        /** The complete lines appended since the previous poll, each a {@code type}; blank lines are skipped. */
        public <T> List<T> poll(Class<T> type) throws IOException {
            if (!Files.exists(file)) {
                return List.of();
            }
            byte[] bytes;
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                long length = in.length();
                if (length < offset) { // cut back by a restore: go on from its new end
                    byte[] kept = new byte[Math.toIntExact(length)];
                    in.readFully(kept);
                    offset = lastNewline(kept) + 1;
                    linesRead = countNewlines(kept);
                    partial = new byte[0];
                    return List.of();
                }
                bytes = new byte[Math.toIntExact(partial.length + length - offset)];
                System.arraycopy(partial, 0, bytes, 0, partial.length);
                in.seek(offset);
                in.readFully(bytes, partial.length, bytes.length - partial.length);
                offset = length;
            }
            int complete = lastNewline(bytes) + 1; // only complete lines; a line being written waits
            partial = Arrays.copyOfRange(bytes, complete, bytes.length);
            List<T> lines = new ArrayList<>();
            String[] pieces = new String(bytes, 0, complete, StandardCharsets.UTF_8).split("\n", -1);
            for (int i = 0; i < pieces.length - 1; i++) { // the last piece is the empty one after the newline
                linesRead++;
                if (!pieces[i].isBlank()) {
                    lines.add(parse(file, linesRead, pieces[i], type));
                }
            }
            return lines;
        }

        private static int lastNewline(byte[] bytes) {
            for (int i = bytes.length - 1; i >= 0; i--) {
                if (bytes[i] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        private static long countNewlines(byte[] bytes) {
            long n = 0;
            for (byte b : bytes) {
                n += b == '\n' ? 1 : 0;
            }
            return n;
        }
    }
}
