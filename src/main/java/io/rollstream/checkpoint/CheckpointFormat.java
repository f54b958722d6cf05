package io.rollstream.checkpoint;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.rollstream.common.Json;
import io.rollstream.model.ModelSpec;
import io.rollstream.model.TensorSource;
import io.rollstream.safetensors.SafetensorsDtype;
import io.rollstream.safetensors.SafetensorsFile;
import io.rollstream.safetensors.SafetensorsHeader;
import io.rollstream.safetensors.SafetensorsWriter;
import io.rollstream.safetensors.TensorEntry;
import io.rollstream.tokenizer.TokenizerSpec;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
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
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;

/**
 * The on-disk checkpoint format (version {@value #VERSION}): a standard safetensors file, so a
 * policy version's weights load like any Hugging Face weights file, with
 *
 * <ul>
 *   <li>tensors: every weight under its parameter name, F32 little-endian; a learner's state adds
 *       AdamW's moments as {@value #FIRST_MOMENT}{@code <name>} and {@value #SECOND_MOMENT}{@code
 *       <name>};
 *   <li>{@code __metadata__}: {@code format: pt}, {@value #HEADER_KEY} (the JSON header: format
 *       version, step, model, tokenizer, optimizer step, metadata) and {@value #CHECKSUM_KEY}: the
 *       hex SHA-256 of the whole file with those 64 hex digits read as {@code 0}s.
 * </ul>
 *
 * Writers stream tensor by tensor from any {@link TensorSource} (a model's live NDArrays, Java
 * arrays, another file): the checksum is computed in a first pass over the values, then the file is
 * written in a second one — so no checkpoint is ever one byte array, and no size limit remains but
 * the largest single tensor (a Java array). The checksum covers every byte, header included, so a
 * file verifies itself; a policy manifest or a learner state reference records the same checksum,
 * which also detects a file swapped for another.
 *
 * <p>Readers verify the checksum, check the tensors against the header's model, and then read
 * tensors one at a time: memory-mapped from a local file ({@link SafetensorsFile}), or into Java
 * arrays from a stream (another Flink file system, or state held inline). Files of format versions
 * 1 and 2 ({@link LegacyCheckpointFormat}) still read.
 */
public final class CheckpointFormat {

    /**
     * Bumped whenever the layout changes; readers accept this version and older ones they know.
     * Version 3: safetensors with the header in its metadata. Version 2: the legacy RSCK file whose
     * model is a {@link ModelSpec} with a {@code kind}; version 1 had none.
     */
    public static final int VERSION = 3;

    /** File name suffix used for checkpoints and published policies. */
    public static final String SUFFIX = ".rsckpt";

    /** Most values one parameter may have: it is copied through one Java array when written or read. */
    public static final long MAX_PARAMETER_VALUES = (Integer.MAX_VALUE - 8) / Float.BYTES;

    /** Metadata key of the JSON header. */
    static final String HEADER_KEY = "rollstream";
    /** Metadata key of the checksum. */
    static final String CHECKSUM_KEY = "rollstream_sha256";
    /** Name prefix of AdamW's first moments. */
    static final String FIRST_MOMENT = "optimizer.exp_avg.";
    /** Name prefix of AdamW's second moments. */
    static final String SECOND_MOMENT = "optimizer.exp_avg_sq.";

    private static final String PLACEHOLDER = "0".repeat(64);
    private static final byte[] CHECKSUM_FIELD = ("\"" + CHECKSUM_KEY + "\":\"").getBytes(StandardCharsets.US_ASCII);
    /** The safetensors format's own bound on the header size. */
    private static final long MAX_HEADER_BYTES = 100L << 20;

    private static final int IO_CHUNK = 1 << 20;

    private CheckpointFormat() {}

    /** The JSON header. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Header(
            int formatVersion,
            long step,
            ModelSpec model,
            TokenizerSpec tokenizer,
            Long optimizerStep,
            Map<String, String> metadata,
            Adapter adapter) {}

    /**
     * What a checkpoint file holds, from its header alone (its weights and checksum are read and
     * verified when it is loaded).
     *
     * @param step the step that produced it
     * @param model what rebuilds the model
     * @param tokenizer the tokenizer it was trained with
     */
    public record Summary(long step, ModelSpec model, TokenizerSpec tokenizer) {}

    /** A checkpoint as read, with the checksum it verified against. */
    private record Loaded(Checkpoint checkpoint, String sha256) {}

    // ---------------------------------------------------------------------------------------------
    // Writing

    /**
     * Writes {@code checkpoint} to {@code out} (not closed), tensor by tensor.
     *
     * @return the file's checksum (hex SHA-256, as its header records it)
     */
    public static String write(Checkpoint checkpoint, OutputStream out) throws IOException {
        Map<String, long[]> shapes = storedShapes(checkpoint);
        byte[] header = header(checkpoint, shapes);
        MessageDigest digest = sha256();
        digest.update(header);
        try (OutputStream hashing = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
            writeData(checkpoint, shapes, hashing);
        }
        String checksum = HexFormat.of().formatHex(digest.digest());
        int at = checksumOffset(header);
        System.arraycopy(checksum.getBytes(StandardCharsets.US_ASCII), 0, header, at, PLACEHOLDER.length());
        out.write(header);
        writeData(checkpoint, shapes, out);
        out.flush();
        return checksum;
    }

    /** The size in bytes of the file {@link #write} makes of {@code checkpoint}. */
    public static long sizeBytes(Checkpoint checkpoint) throws IOException {
        Map<String, long[]> shapes = storedShapes(checkpoint);
        return header(checkpoint, shapes).length + SafetensorsWriter.dataBytes(shapes, SafetensorsDtype.F32);
    }

    /** Serialises to bytes (e.g. to hold a small learner state in Flink state). */
    public static byte[] toBytes(Checkpoint checkpoint) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(checkpoint, out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /**
     * Writes to {@code path} atomically: a reader sees the old file or the complete new one.
     *
     * @return the file's checksum
     */
    public static String save(Checkpoint checkpoint, Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempFile(parent, "." + path.getFileName(), ".tmp");
        try {
            String checksum;
            try (OutputStream out = Files.newOutputStream(temp)) {
                checksum = write(checkpoint, out);
            }
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return checksum;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Every tensor the file stores, by stored name: the weights, then the moments when there are any. */
    private static Map<String, long[]> storedShapes(Checkpoint checkpoint) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        checkpoint.tensorShapes().forEach((name, shape) -> shapes.put(name, shape.getShape()));
        if (checkpoint.optimizer() != null) {
            checkpoint.tensorShapes().forEach((name, shape) -> shapes.put(FIRST_MOMENT + name, shape.getShape()));
            checkpoint.tensorShapes().forEach((name, shape) -> shapes.put(SECOND_MOMENT + name, shape.getShape()));
        }
        return shapes;
    }

    private static byte[] header(Checkpoint checkpoint, Map<String, long[]> shapes) throws IOException {
        OptimizerState optimizer = checkpoint.optimizer();
        Header header = new Header(
                VERSION,
                checkpoint.step(),
                checkpoint.model(),
                checkpoint.tokenizer(),
                optimizer == null ? null : optimizer.step(),
                checkpoint.metadata(),
                checkpoint.adapter());
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put(HEADER_KEY, Json.mapper().writeValueAsString(header));
        metadata.put(CHECKSUM_KEY, PLACEHOLDER);
        return SafetensorsWriter.header(shapes, SafetensorsDtype.F32, metadata);
    }

    private static void writeData(Checkpoint checkpoint, Map<String, long[]> shapes, OutputStream out)
            throws IOException {
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            float[] values = SafetensorsWriter.checked(e.getKey(), e.getValue(), values(checkpoint, e.getKey()));
            SafetensorsWriter.writeValues(out, values, SafetensorsDtype.F32);
        }
    }

    private static float[] values(Checkpoint checkpoint, String stored) {
        if (stored.startsWith(FIRST_MOMENT)) {
            return checkpoint.optimizer().firstMoments().floats(stored.substring(FIRST_MOMENT.length()));
        }
        if (stored.startsWith(SECOND_MOMENT)) {
            return checkpoint.optimizer().secondMoments().floats(stored.substring(SECOND_MOMENT.length()));
        }
        return checkpoint.weights().floats(stored);
    }

    // ---------------------------------------------------------------------------------------------
    // Reading

    /** Reads and verifies a checkpoint from {@code in} into Java arrays (any format version). */
    public static Checkpoint read(InputStream in) throws IOException {
        return read(in, "checkpoint").checkpoint();
    }

    /**
     * Reads and verifies the checkpoint at {@code path}: a file of this format is verified and then
     * read tensor by tensor, memory-mapped, as the model is built; a legacy file is read whole.
     */
    public static Checkpoint load(Path path) throws IOException {
        try {
            return loadLocal(path).checkpoint();
        } catch (IOException e) {
            throw new IOException(path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads and verifies the checkpoint at {@code path} on any Flink file system (local files are
     * memory-mapped, others streamed into Java arrays), and checks it is the file {@code recordedBy}
     * (a manifest, a checkpoint's reference) recorded with checksum {@code expectedSha256}.
     *
     * @param expectedSha256 the recorded checksum, or null to rely on the file's own
     */
    public static Checkpoint load(org.apache.flink.core.fs.Path path, String expectedSha256, String recordedBy)
            throws IOException {
        FileSystem fs = path.getFileSystem();
        Loaded loaded;
        try {
            if ("file".equals(fs.getUri().getScheme())) {
                loaded = loadLocal(Path.of(path.toUri().getPath()));
            } else {
                try (FSDataInputStream in = fs.open(path)) {
                    loaded = read(new BufferedInputStream(in, IO_CHUNK), path.toString());
                }
            }
        } catch (IOException e) {
            throw new IOException(path + ": " + e.getMessage(), e);
        }
        if (expectedSha256 != null && !expectedSha256.equals(loaded.sha256())) {
            throw new IOException(path + " does not match the checksum " + recordedBy + " recorded");
        }
        return loaded.checkpoint();
    }

    /** Reads only the header of the checkpoint at {@code path}. */
    public static Summary readSummary(Path path) throws IOException {
        try {
            if (LegacyCheckpointFormat.isLegacy(prefix(path))) {
                try (DataInputStream data = new DataInputStream(new BufferedInputStream(Files.newInputStream(path)))) {
                    LegacyCheckpointFormat.Header h = LegacyCheckpointFormat.header(data);
                    return new Summary(h.step(), h.model(), h.tokenizer());
                }
            }
            try (SafetensorsFile file = open(path)) {
                Header h = header(file.metadata());
                return new Summary(h.step(), h.model(), h.tokenizer());
            }
        } catch (EOFException e) {
            throw new IOException(path + ": not a Rollstream checkpoint (the file ends inside its header)", e);
        } catch (IOException e) {
            throw new IOException(path + ": " + e.getMessage(), e);
        }
    }

    private static Loaded loadLocal(Path path) throws IOException {
        if (LegacyCheckpointFormat.isLegacy(prefix(path))) {
            byte[] all = Files.readAllBytes(path);
            return new Loaded(LegacyCheckpointFormat.read(all), HexFormat.of().formatHex(sha256().digest(all)));
        }
        String checksum = verify(path);
        Header header;
        List<TensorEntry> entries;
        try (SafetensorsFile file = open(path)) {
            header = header(file.metadata());
            entries = new ArrayList<>(file.tensors().values());
        }
        Map<String, Shape> shapes = Checkpoint.tensorShapes(header.model(), header.adapter());
        checkTensors(header, shapes, entries);
        Set<String> names = new LinkedHashSet<>(shapes.keySet());
        OptimizerState optimizer = header.optimizerStep() == null
                ? null
                : new OptimizerState(
                        header.optimizerStep(),
                        new StoredTensors(path, FIRST_MOMENT, names),
                        new StoredTensors(path, SECOND_MOMENT, names));
        return new Loaded(
                new Checkpoint(
                        header.step(),
                        header.model(),
                        header.tokenizer(),
                        new StoredTensors(path, "", names),
                        optimizer,
                        header.metadata(),
                        header.adapter()),
                checksum);
    }

    /** Checks the whole file at {@code path} against the checksum its header records; returns it. */
    private static String verify(Path path) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), IO_CHUNK)) {
            MessageDigest digest = sha256();
            String recorded = hashHeader(in, digest).checksum();
            byte[] buffer = new byte[IO_CHUNK];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            requireChecksum(digest, recorded);
            return recorded;
        }
    }

    /** A header as read from a stream: its JSON as stored and the checksum it records. */
    private record ReadHeader(byte[] json, String checksum) {}

    /**
     * Reads the length and header from {@code in} into {@code digest} (the checksum's digits as
     * zeros), leaving the stream at the start of the data. The checksum is found in the raw bytes,
     * before any parsing, so damage anywhere reads as a checksum mismatch.
     */
    private static ReadHeader hashHeader(InputStream in, MessageDigest digest) throws IOException {
        byte[] length = in.readNBytes(8);
        if (length.length < 8) {
            throw new IOException("not a Rollstream checkpoint (shorter than a safetensors header)");
        }
        long headerBytes =
                ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerBytes < 2 || headerBytes > MAX_HEADER_BYTES) {
            throw new IOException(
                    "not a Rollstream checkpoint (a header of " + Long.toUnsignedString(headerBytes) + " bytes)");
        }
        byte[] json = in.readNBytes((int) headerBytes);
        if (json.length < headerBytes) {
            throw new IOException("not a Rollstream checkpoint (the file ends inside its header)");
        }
        int at = checksumOffset(json);
        if (at < 0) {
            throw new IOException("not a Rollstream checkpoint (its header has no " + CHECKSUM_KEY + ")");
        }
        String checksum = new String(json, at, PLACEHOLDER.length(), StandardCharsets.US_ASCII);
        byte[] zeroed = json.clone();
        System.arraycopy(PLACEHOLDER.getBytes(StandardCharsets.US_ASCII), 0, zeroed, at, PLACEHOLDER.length());
        digest.update(length);
        digest.update(zeroed);
        return new ReadHeader(json, checksum);
    }

    /** Reads a whole checkpoint from a stream into Java arrays, verifying it as it goes. */
    private static Loaded read(InputStream stream, String source) throws IOException {
        InputStream in = stream.markSupported() ? stream : new BufferedInputStream(stream, IO_CHUNK);
        in.mark(LegacyCheckpointFormat.MAGIC.length);
        byte[] prefix = in.readNBytes(LegacyCheckpointFormat.MAGIC.length);
        in.reset();
        if (LegacyCheckpointFormat.isLegacy(prefix)) {
            byte[] all = in.readAllBytes();
            return new Loaded(LegacyCheckpointFormat.read(all), HexFormat.of().formatHex(sha256().digest(all)));
        }
        MessageDigest digest = sha256();
        ReadHeader read = hashHeader(in, digest);
        SafetensorsHeader parsed;
        Header header;
        try {
            parsed = SafetensorsHeader.parse(source, read.json(), Long.MAX_VALUE);
            header = header(parsed.metadata());
        } catch (IOException e) {
            throw new IOException(
                    "checkpoint checksum mismatch: the file is truncated or corrupted (" + e.getMessage() + ")", e);
        }
        Map<String, Shape> shapes = Checkpoint.tensorShapes(header.model(), header.adapter());
        List<TensorEntry> entries = new ArrayList<>(parsed.tensors().values());
        checkTensors(header, shapes, entries);
        entries.sort(Comparator.comparingLong(TensorEntry::begin));
        Map<String, float[]> values = new LinkedHashMap<>();
        long position = 0;
        for (TensorEntry e : entries) {
            skip(in, digest, e.begin() - position);
            values.put(e.name(), readFloats(in, digest, e));
            position = e.end();
        }
        if (in.read() != -1) {
            throw new IOException("checkpoint checksum mismatch: the file has bytes after its last tensor");
        }
        requireChecksum(digest, read.checksum());
        Map<String, float[]> weights = new LinkedHashMap<>();
        Map<String, float[]> first = new LinkedHashMap<>();
        Map<String, float[]> second = new LinkedHashMap<>();
        for (String name : shapes.keySet()) {
            weights.put(name, values.get(name));
            if (header.optimizerStep() != null) {
                first.put(name, values.get(FIRST_MOMENT + name));
                second.put(name, values.get(SECOND_MOMENT + name));
            }
        }
        OptimizerState optimizer =
                header.optimizerStep() == null ? null : new OptimizerState(header.optimizerStep(), first, second);
        return new Loaded(
                new Checkpoint(
                        header.step(),
                        header.model(),
                        header.tokenizer(),
                        TensorSource.of(weights),
                        optimizer,
                        header.metadata(),
                        header.adapter()),
                read.checksum());
    }

    private static void skip(InputStream in, MessageDigest digest, long bytes) throws IOException {
        byte[] buffer = new byte[(int) Math.min(IO_CHUNK, Math.max(0, bytes))];
        for (long left = bytes; left > 0; ) {
            int n = in.readNBytes(buffer, 0, (int) Math.min(buffer.length, left));
            if (n == 0) {
                throw truncated();
            }
            digest.update(buffer, 0, n);
            left -= n;
        }
    }

    private static float[] readFloats(InputStream in, MessageDigest digest, TensorEntry e) throws IOException {
        float[] out = new float[Math.toIntExact(e.elements())];
        byte[] buffer = new byte[IO_CHUNK];
        ByteBuffer view = ByteBuffer.wrap(buffer).order(ByteOrder.LITTLE_ENDIAN);
        for (int from = 0; from < out.length; ) {
            int count = Math.min(out.length - from, IO_CHUNK / Float.BYTES);
            int n = in.readNBytes(buffer, 0, count * Float.BYTES);
            if (n < count * Float.BYTES) {
                throw truncated();
            }
            digest.update(buffer, 0, n);
            view.clear();
            view.asFloatBuffer().get(out, from, count);
            from += count;
        }
        return out;
    }

    private static IOException truncated() {
        return new IOException("checkpoint checksum mismatch: the file is truncated or corrupted");
    }

    private static void requireChecksum(MessageDigest digest, String recorded) throws IOException {
        if (!HexFormat.of().formatHex(digest.digest()).equals(recorded)) {
            throw new IOException("checkpoint checksum mismatch: the file is truncated or corrupted");
        }
    }

    private static Header header(Map<String, String> metadata) throws IOException {
        String json = metadata.get(HEADER_KEY);
        if (json == null) {
            throw new IOException("not a Rollstream checkpoint (a safetensors file without a " + HEADER_KEY
                    + " header: a Hugging Face weights file belongs in a model directory, model.path)");
        }
        Header header = Json.mapper().readValue(json, Header.class);
        if (header.formatVersion() != VERSION) {
            throw new IOException("checkpoint format version " + header.formatVersion() + " is not supported (this"
                    + " Rollstream reads versions 1.." + VERSION + ")");
        }
        return header;
    }

    /** Refuses a file whose tensors are not exactly the header's model (and moments), all F32. */
    private static void checkTensors(Header header, Map<String, Shape> shapes, List<TensorEntry> entries)
            throws IOException {
        Map<String, Shape> expected = new LinkedHashMap<>(shapes);
        if (header.optimizerStep() != null) {
            shapes.forEach((name, shape) -> {
                expected.put(FIRST_MOMENT + name, shape);
                expected.put(SECOND_MOMENT + name, shape);
            });
        }
        Set<String> unexpected = new TreeSet<>();
        for (TensorEntry e : entries) {
            Shape shape = expected.remove(e.name());
            if (shape == null) {
                unexpected.add(e.name());
            } else if (e.dtype() != SafetensorsDtype.F32 || !shape.equals(new Shape(e.shape()))) {
                throw new IOException("checkpoint tensor " + e.name() + " is " + e.dtype() + " "
                        + Arrays.toString(e.shape()) + ", but its model config needs F32 " + shape);
            }
        }
        if (!expected.isEmpty() || !unexpected.isEmpty()) {
            throw new IOException("checkpoint tensors do not match its model config (missing " + expected.keySet()
                    + ", unexpected " + unexpected + ")");
        }
    }

    /**
     * Index of the checksum's first digit in a header's JSON (or in length + JSON): the 64 characters
     * after {@code "rollstream_sha256":"}, closed by a quote; -1 if absent. (A JSON string value
     * cannot contain that sequence: its quotes would be escaped.)
     */
    private static int checksumOffset(byte[] header) {
        int digits = PLACEHOLDER.length();
        outer:
        for (int i = 0; i <= header.length - CHECKSUM_FIELD.length - digits - 1; i++) {
            for (int j = 0; j < CHECKSUM_FIELD.length; j++) {
                if (header[i + j] != CHECKSUM_FIELD[j]) {
                    continue outer;
                }
            }
            int at = i + CHECKSUM_FIELD.length;
            return header[at + digits] == '"' ? at : -1;
        }
        return -1;
    }

    private static SafetensorsFile open(Path path) throws IOException {
        try {
            return SafetensorsFile.open(path);
        } catch (IOException e) {
            throw notACheckpoint(e);
        }
    }

    private static IOException notACheckpoint(IOException e) {
        return new IOException("not a Rollstream checkpoint (" + e.getMessage() + ")", e);
    }

    private static byte[] prefix(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(LegacyCheckpointFormat.MAGIC.length);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
