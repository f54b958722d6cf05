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
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, got "
                        + values.length);
            }
        }
    }

    private SafetensorsWriter() {}

    /**
     * @param dtype {@link SafetensorsDtype#F32} or {@link SafetensorsDtype#BF16}
     * @param metadata the header's {@code __metadata__} (may be empty)
     */
    public static void write(Path file, Map<String, Tensor> tensors, SafetensorsDtype dtype,
            Map<String, String> metadata) throws IOException {
        if (dtype != SafetensorsDtype.F32 && dtype != SafetensorsDtype.BF16) {
            throw new IllegalArgumentException("safetensors can be written as F32 or BF16, not " + dtype);
        }
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", dtype.name());
            ArrayNode shape = entry.putArray("shape");
            Arrays.stream(e.getValue().shape()).forEach(shape::add);
            long bytes = (long) e.getValue().values().length * dtype.bytes();
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 20)) {
                out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
                out.write(headerBytes);
                for (Tensor t : tensors.values()) {
                    writeValues(out, t.values(), dtype);
                }
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }


    private static void writeValues(OutputStream out, float[] values, SafetensorsDtype dtype) throws IOException {
        int perChunk = 1 << 18;
        ByteBuffer buffer = ByteBuffer.allocate(perChunk * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int from = 0; from < values.length; from += perChunk) {
            buffer.clear();
            int to = Math.min(values.length, from + perChunk);
            for (int i = from; i < to; i++) {
                if (dtype == SafetensorsDtype.F32) {
                    buffer.putFloat(values[i]);
                } else {
                    buffer.putShort(HalfFloats.floatToBf16(values[i]));
                }
            }
            out.write(buffer.array(), 0, buffer.position());
        }
    }
}
