package io.rollstream.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes float tensors as a safetensors file, stored as F32 or BF16 (rounded to nearest even), in
 * the order given, with the header padded by spaces to a multiple of 8 bytes as the format allows.
 * The file appears atomically: a reader sees the old file or the complete new one.
 */
public final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A tensor to write: its shape and float32 values in row-major order. */
    public record Tensor(long[] shape, float[] values) {
        public Tensor {
            long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
            if (n != values.length) {
                throw new IllegalArgumentException(
                        "shape " + Arrays.toString(shape) + " holds " + n + " values, got " + values.length);
            }
        }
    }

    private SafetensorsWriter() {}

    /** The values of a tensor, fetched when it is written (so only one tensor is on the heap at a time). */
    @FunctionalInterface
    public interface Values {
        float[] of(String name) throws IOException;
    }

    /**
     * @param dtype {@link SafetensorsDtype#F32} or {@link SafetensorsDtype#BF16}
     * @param metadata the header's {@code __metadata__} (may be empty)
     */
    public static void write(
            Path file, Map<String, Tensor> tensors, SafetensorsDtype dtype, Map<String, String> metadata)
            throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        tensors.forEach((name, t) -> shapes.put(name, t.shape()));
        write(file, shapes, name -> tensors.get(name).values(), dtype, metadata);
    }

    /**
     * Writes the tensors of {@code shapes}, in that order, fetching each one's values from {@code
     * values} as it goes; the file appears atomically.
     */
    public static void write(
            Path file, Map<String, long[]> shapes, Values values, SafetensorsDtype dtype, Map<String, String> metadata)
            throws IOException {
        byte[] header = header(shapes, dtype, metadata);
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 20)) {
                out.write(header);
                for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                    writeValues(out, checked(e.getKey(), e.getValue(), values.of(e.getKey())), dtype);
                }
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Everything before the data: the u64 little-endian header length and the header JSON (tensors
     * in the order given, contiguous from offset 0), padded with spaces to a multiple of 8 bytes.
     *
     * @param dtype {@link SafetensorsDtype#F32} or {@link SafetensorsDtype#BF16}
     */
    public static byte[] header(Map<String, long[]> shapes, SafetensorsDtype dtype, Map<String, String> metadata)
            throws IOException {
        if (dtype != SafetensorsDtype.F32 && dtype != SafetensorsDtype.BF16) {
            throw new IllegalArgumentException("safetensors can be written as F32 or BF16, not " + dtype);
        }
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", dtype.name());
            ArrayNode shape = entry.putArray("shape");
            Arrays.stream(e.getValue()).forEach(shape::add);
            long bytes = elements(e.getValue()) * dtype.bytes();
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        while (out.hasRemaining()) {
            out.put((byte) ' ');
        }
        return out.array();
    }

    /** Bytes of data that {@link #header} describes. */
    public static long dataBytes(Map<String, long[]> shapes, SafetensorsDtype dtype) {
        return shapes.values().stream().mapToLong(SafetensorsWriter::elements).sum() * dtype.bytes();
    }

    /** {@code values} of tensor {@code name}, refused unless they fill {@code shape}. */
    public static float[] checked(String name, long[] shape, float[] values) {
        if (values == null || values.length != elements(shape)) {
            throw new IllegalArgumentException("tensor " + name + " of shape " + Arrays.toString(shape) + " got "
                    + (values == null ? "no values" : values.length + " values"));
        }
        return values;
    }

    private static long elements(long[] shape) {
        return Arrays.stream(shape).reduce(1, Math::multiplyExact);
    }

    /** {@code values} as little-endian {@code dtype} (F32, or BF16 rounded to nearest even). */
    public static void writeValues(OutputStream out, float[] values, SafetensorsDtype dtype) throws IOException {
        int perChunk = 1 << 18;
        ByteBuffer buffer = ByteBuffer.allocate(perChunk * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int from = 0; from < values.length; from += perChunk) {
            buffer.clear();
            int to = Math.min(values.length, from + perChunk);
            if (dtype == SafetensorsDtype.F32) {
                buffer.asFloatBuffer().put(values, from, to - from);
                buffer.position((to - from) * Float.BYTES);
            } else {
                for (int i = from; i < to; i++) {
                    buffer.putShort(HalfFloats.floatToBf16(values[i]));
                }
            }
            out.write(buffer.array(), 0, buffer.position());
        }
    }
}
