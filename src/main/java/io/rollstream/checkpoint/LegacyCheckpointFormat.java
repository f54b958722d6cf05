package io.rollstream.checkpoint;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.rollstream.common.Json;
import io.rollstream.model.ModelSpec;
import io.rollstream.tokenizer.TokenizerSpec;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the checkpoint format of Rollstream before format version 3 (nothing writes it any more),
 * one self-describing file that was held in one byte array, so never larger than 2 GiB:
 *
 * <pre>
 *   "RSCK" | int32 format version (1 or 2) | int32 header length | header JSON (UTF-8)
 *   | weights, float32 little-endian, parameter by parameter in header order
 *   | [first moments | second moments]            (only when the header has an optimizer)
 *   | SHA-256 of every byte before it (32 bytes)
 * </pre>
 *
 * Version 2 headers hold a {@link ModelSpec} with a {@code kind}; version 1 headers have none and
 * hold a builtin model.
 */
final class LegacyCheckpointFormat {

    static final byte[] MAGIC = "RSCK".getBytes(StandardCharsets.US_ASCII);
    static final int LAST_VERSION = 2;
    private static final int DIGEST_BYTES = 32;
    /** A header larger than this is not one of ours. */
    private static final int MAX_HEADER_BYTES = 64 << 20;

    private LegacyCheckpointFormat() {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Header(
            int formatVersion,
            long step,
            ModelSpec model,
            TokenizerSpec tokenizer,
            List<ParameterEntry> parameters,
            Long optimizerStep,
            Map<String, String> metadata) {}

    record ParameterEntry(String name, long[] shape) {}

    /** Whether {@code prefix} (the first bytes of a file) starts like a legacy checkpoint. */
    static boolean isLegacy(byte[] prefix) {
        return prefix.length >= MAGIC.length && Arrays.equals(Arrays.copyOf(prefix, MAGIC.length), MAGIC);
    }

    /** Reads and verifies a whole legacy file. */
    static Checkpoint read(byte[] all) throws IOException {
        if (all.length < MAGIC.length + 8 + DIGEST_BYTES || !isLegacy(all)) {
            throw new IOException("not a Rollstream checkpoint (missing the RSCK header)");
        }
        int bodyLength = all.length - DIGEST_BYTES;
        MessageDigest digest = CheckpointFormat.sha256();
        digest.update(all, 0, bodyLength);
        if (!Arrays.equals(digest.digest(), Arrays.copyOfRange(all, bodyLength, all.length))) {
            throw new IOException("checkpoint checksum mismatch: the file is truncated or corrupted");
        }
        DataInputStream data = new DataInputStream(new ByteArrayInputStream(all, 0, bodyLength));
        Header header = header(data);
        Map<String, Shape> expected = header.model().parameterShapes();
        List<String> names =
                header.parameters().stream().map(ParameterEntry::name).toList();
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
        return new Checkpoint(header.step(), header.model(), header.tokenizer(), weights, optimizer, header.metadata());
    }

    /** The header, read after the magic, from a stream positioned at the start of a legacy file. */
    static Header header(DataInputStream data) throws IOException {
        byte[] magic = new byte[MAGIC.length];
        data.readFully(magic);
        if (!isLegacy(magic)) {
            throw new IOException("not a Rollstream checkpoint (missing the RSCK header)");
        }
        int version = data.readInt();
        if (version > LAST_VERSION || version < 1) {
            throw new IOException("checkpoint format version " + version + " is not supported (this Rollstream reads"
                    + " versions 1.." + CheckpointFormat.VERSION + ")");
        }
        int length = data.readInt();
        if (length < 0 || length > MAX_HEADER_BYTES) {
            throw new IOException("not a Rollstream checkpoint (a header of " + length + " bytes)");
        }
        byte[] headerBytes = new byte[length];
        data.readFully(headerBytes);
        return Json.mapper().readValue(headerBytes, Header.class);
    }

    private static Map<String, float[]> readFloats(DataInputStream in, List<ParameterEntry> entries)
            throws IOException {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (ParameterEntry e : entries) {
            long size = 1;
            for (long d : e.shape()) {
                size *= d;
            }
            byte[] bytes = new byte[Math.toIntExact(size * Float.BYTES)];
            in.readFully(bytes);
            float[] v = new float[(int) size];
            ByteBuffer.wrap(bytes)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .get(v);
            out.put(e.name(), v);
        }
        return out;
    }
}
