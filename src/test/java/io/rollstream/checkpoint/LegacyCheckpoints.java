package io.rollstream.checkpoint;

import io.rollstream.common.Json;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds files of the checkpoint format before version 3 byte by byte (nothing in Rollstream writes
 * them any more), so tests prove that old checkpoints, policy versions and learner states still read.
 */
public final class LegacyCheckpoints {

    private LegacyCheckpoints() {}

    /** {@code checkpoint} as format version 2 (the last legacy version) wrote it. */
    public static byte[] version2(Checkpoint checkpoint) {
        List<LegacyCheckpointFormat.ParameterEntry> entries = new ArrayList<>();
        checkpoint
                .tensorShapes()
                .forEach((name, shape) ->
                        entries.add(new LegacyCheckpointFormat.ParameterEntry(name, shape.getShape())));
        OptimizerState optimizer = checkpoint.optimizer();
        LegacyCheckpointFormat.Header header = new LegacyCheckpointFormat.Header(
                2,
                checkpoint.step(),
                checkpoint.model(),
                checkpoint.tokenizer(),
                entries,
                optimizer == null ? null : optimizer.step(),
                checkpoint.metadata());
        List<Map<String, float[]>> tensors = new ArrayList<>();
        tensors.add(checkpoint.weights().toMap());
        if (optimizer != null) {
            tensors.add(optimizer.firstMoments().toMap());
            tensors.add(optimizer.secondMoments().toMap());
        }
        try {
            return file(2, Json.mapper().writeValueAsString(header), tensors);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code "RSCK" | version | header length | header | weights | [moments] | SHA-256}.
     *
     * @param headerJson the header as that version wrote it (with {@code optimizer_step} when
     *     {@code moments} are given)
     * @param tensors weights, then first and second moments when present, each in header order
     */
    public static byte[] file(int version, String headerJson, List<Map<String, float[]>> tensors) {
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            DataOutputStream data = new DataOutputStream(body);
            data.write("RSCK".getBytes(StandardCharsets.US_ASCII));
            data.writeInt(version);
            byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
            data.writeInt(header.length);
            data.write(header);
            for (Map<String, float[]> part : tensors) {
                for (float[] w : part.values()) {
                    ByteBuffer buf = ByteBuffer.allocate(w.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                    buf.asFloatBuffer().put(w);
                    data.write(buf.array());
                }
            }
            data.write(MessageDigest.getInstance("SHA-256").digest(body.toByteArray()));
            return body.toByteArray();
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
