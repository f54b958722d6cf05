package io.rollstream.checkpoint;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.rollstream.common.Json;
import io.rollstream.model.ModelSpec;
import io.rollstream.tokenizer.TokenizerSpec;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The on-disk checkpoint format, one self-describing file:
 *
 * <pre>
 *   "RSCK" | int32 format version | int32 header length | header JSON (UTF-8)
 *   | weights, float32 little-endian, parameter by parameter in header order
 *   | [first moments | second moments]            (only when the header has an optimizer)
 *   | SHA-256 of every byte before it (32 bytes)
 * </pre>
 *
 * Readers reject a wrong magic, a newer version, a header that does not match the model config,
 * and a checksum mismatch (a torn or corrupted file), each with a message that says which.
 */
public final class CheckpointFormat {

    /**
     * Bumped whenever the layout changes; readers accept this version and older ones they know.
     * Version 2: the header's model is a {@link ModelSpec} with a {@code kind} (builtin or
     * huggingface); version 1 headers have none and hold a builtin model.
     */
    public static final int VERSION = 2;

    /** File name suffix used for checkpoints and published policies. */
    public static final String SUFFIX = ".rsckpt";

    /** Most values one parameter may have: its float32 bytes are read into one Java array. */
    public static final long MAX_PARAMETER_VALUES = (Integer.MAX_VALUE - 8) / Float.BYTES;

    private static final byte[] MAGIC = "RSCK".getBytes(StandardCharsets.US_ASCII);
    private static final int DIGEST_BYTES = 32;
    /** A header larger than this is not one of ours. */
    private static final int MAX_HEADER_BYTES = 64 << 20;

    private CheckpointFormat() {}

    /** The JSON header. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Header(int formatVersion, long step, ModelSpec model, TokenizerSpec tokenizer,
            List<ParameterEntry> parameters, Long optimizerStep, Map<String, String> metadata) {}

    record ParameterEntry(String name, long[] shape) {}

    /** Writes {@code checkpoint} to {@code out} (not closed). */
    public static void write(Checkpoint checkpoint, OutputStream out) throws IOException {
        MessageDigest digest = sha256();
        DataOutputStream data = new DataOutputStream(new DigestOutputStream(new NonClosing(out), digest));
        List<ParameterEntry> entries = new ArrayList<>();
        checkpoint.model().parameterShapes().forEach((name, shape) -> {
            float[] values = checkpoint.weights().get(name);
            if (values == null || values.length != shape.size()) {
                throw new IllegalArgumentException("checkpoint weights do not match the model config at " + name);
            }
            entries.add(new ParameterEntry(name, shape.getShape()));
        });
        OptimizerState optimizer = checkpoint.optimizer();
        requireAddressable(checkpoint.model(), optimizer != null);
        Header header = new Header(VERSION, checkpoint.step(), checkpoint.model(), checkpoint.tokenizer(), entries,
                optimizer == null ? null : optimizer.step(), checkpoint.metadata());
        byte[] headerBytes = Json.mapper().writeValueAsBytes(header);
        data.write(MAGIC);
        data.writeInt(VERSION);
        data.writeInt(headerBytes.length);
        data.write(headerBytes);
        writeFloats(data, entries, checkpoint.weights());
        if (optimizer != null) {
            writeFloats(data, entries, optimizer.firstMoments());
            writeFloats(data, entries, optimizer.secondMoments());
        }
        data.flush();
        out.write(digest.digest());
        out.flush();
    }

    /** Largest checkpoint readers accept: {@link #read} holds a whole file in one byte array. */
    static final long MAX_BYTES = Integer.MAX_VALUE - (64L << 20);

    /**
     * Refuses, before anything is written, a checkpoint too large to be read back: the whole file is
     * held in one byte array (as are published policy versions and the learner's Flink state).
     */
    public static void requireAddressable(ModelSpec model, boolean withOptimizer) {
        long bytes = model.parameterCount() * Float.BYTES * (withOptimizer ? 3 : 1);
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException(String.format("a checkpoint of %s (%d parameters%s) would be %.1f GiB,"
                    + " but checkpoints and policy versions are held in one byte array, which stops at 2 GiB: full"
                    + " training is limited to about %d million parameters (%d million with optimizer state)",
                    model.describe(), model.parameterCount(), withOptimizer ? ", weights and AdamW moments" : "",
                    bytes / (double) (1L << 30), MAX_BYTES / Float.BYTES / 1_000_000,
                    MAX_BYTES / 3 / Float.BYTES / 1_000_000));
        }
    }

    /** Reads and verifies a checkpoint from {@code in}. */
    public static Checkpoint read(InputStream in) throws IOException {
        byte[] all = in.readAllBytes();
        if (all.length < MAGIC.length + 8 + DIGEST_BYTES || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw new IOException("not a Rollstream checkpoint (missing the RSCK header)");
        }
        int bodyLength = all.length - DIGEST_BYTES;
        MessageDigest digest = sha256();
        digest.update(all, 0, bodyLength);
        if (!Arrays.equals(digest.digest(), Arrays.copyOfRange(all, bodyLength, all.length))) {
            throw new IOException("checkpoint checksum mismatch: the file is truncated or corrupted");
        }
        DataInputStream data = new DataInputStream(new java.io.ByteArrayInputStream(all, 0, bodyLength));
        data.skipNBytes(MAGIC.length);
        int version = data.readInt();
        if (version > VERSION || version < 1) {
            throw new IOException("checkpoint format version " + version + " is not supported (this Rollstream reads"
                    + " versions 1.." + VERSION + ")");
        }
        byte[] headerBytes = new byte[data.readInt()];
        data.readFully(headerBytes);
        Header header = Json.mapper().readValue(headerBytes, Header.class);
        Map<String, ai.djl.ndarray.types.Shape> expected = header.model().parameterShapes();
        List<String> names = header.parameters().stream().map(ParameterEntry::name).toList();
        if (!names.equals(new ArrayList<>(expected.keySet()))) {
            throw new IOException("checkpoint parameters " + names + " do not match its model config");
        }
        Map<String, float[]> weights = readFloats(data, header.parameters());
        OptimizerState optimizer = null;
        if (header.optimizerStep() != null) {
            Map<String, float[]> m = readFloats(data, header.parameters());
            Map<String, float[]> v = readFloats(data, header.parameters());
            optimizer = new OptimizerState(header.optimizerStep(), m, v);
        }
        if (data.available() != 0) {
            throw new IOException("checkpoint has " + data.available() + " unexpected trailing bytes");
        }
        return new Checkpoint(header.step(), header.model(), header.tokenizer(), weights, optimizer,
                header.metadata());
    }

    /**
     * What a checkpoint file holds, from its header alone (its weights and checksum are read and
     * verified when it is loaded).
     *
     * @param step the step that produced it
     * @param model what rebuilds the model
     * @param tokenizer the tokenizer it was trained with
     */
    public record Summary(long step, ModelSpec model, TokenizerSpec tokenizer) {}

    /** Reads only the header of the checkpoint at {@code path}. */
    public static Summary readSummary(Path path) throws IOException {
        try (DataInputStream data = new DataInputStream(new BufferedInputStream(Files.newInputStream(path)))) {
            byte[] magic = new byte[MAGIC.length];
            data.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException("not a Rollstream checkpoint (missing the RSCK header)");
            }
            int version = data.readInt();
            if (version > VERSION || version < 1) {
                throw new IOException("checkpoint format version " + version + " is not supported (this Rollstream"
                        + " reads versions 1.." + VERSION + ")");
            }
            int length = data.readInt();
            if (length < 0 || length > MAX_HEADER_BYTES) {
                throw new IOException("not a Rollstream checkpoint (a header of " + length + " bytes)");
            }
            byte[] headerBytes = new byte[length];
            data.readFully(headerBytes);
            Header header = Json.mapper().readValue(headerBytes, Header.class);
            return new Summary(header.step(), header.model(), header.tokenizer());
        } catch (EOFException e) {
            throw new IOException(path + ": not a Rollstream checkpoint (the file ends inside its header)", e);
        } catch (IOException e) {
            throw new IOException(path + ": " + e.getMessage(), e);
        }
    }

    /** Writes to {@code path} atomically: a reader sees the old file or the complete new one. */
    public static void save(Checkpoint checkpoint, Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempFile(parent, "." + path.getFileName(), ".tmp");
        try {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(temp), 1 << 20)) {
                write(checkpoint, out);
            }
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Reads and verifies the checkpoint at {@code path}. */
    public static Checkpoint load(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return read(in);
        } catch (IOException e) {
            throw new IOException(path + ": " + e.getMessage(), e);
        }
    }

    /** Serialises to bytes (e.g. to hold small models in Flink state). */
    public static byte[] toBytes(Checkpoint checkpoint) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(checkpoint, out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static void writeFloats(DataOutputStream out, List<ParameterEntry> entries, Map<String, float[]> values)
            throws IOException {
        for (ParameterEntry e : entries) {
            float[] v = values.get(e.name());
            ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(v);
            out.write(buf.array());
        }
    }

    private static Map<String, float[]> readFloats(DataInputStream in, List<ParameterEntry> entries) throws IOException {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (ParameterEntry e : entries) {
            long size = 1;
            for (long d : e.shape()) {
                size *= d;
            }
            byte[] bytes = new byte[Math.toIntExact(size * Float.BYTES)];
            in.readFully(bytes);
            float[] v = new float[(int) size];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            out.put(e.name(), v);
        }
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lets the digest stream be flushed without closing the caller's stream. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
