package io.rollstream.learner;

import static io.rollstream.common.StoredFields.readLongs;
import static io.rollstream.common.StoredFields.readString;
import static io.rollstream.common.StoredFields.writeLongs;
import static io.rollstream.common.StoredFields.writeString;

import io.rollstream.policy.PolicyCollector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The stored form of a {@link LearnerState}: field by field in a fixed order (as {@link
 * io.rollstream.common.StoredFields} encodes them). Every format ever written stays readable: a change writes {@link
 * #CURRENT_VERSION} + 1 and keeps reading the older versions.
 *
 * <p>Version 1: the checkpoint (a kind byte, then its bytes, or the file's path, SHA-256 and size);
 * the pins (job, permanent steps, checkpoint steps, best evaluation if any); the per-epoch KL state
 * if any (open epochs with their sums, completed epochs with their mean).
 */
public final class LearnerStateSerializer implements SimpleVersionedSerializer<LearnerState> {

    public static final int CURRENT_VERSION = 1;

    public static final LearnerStateSerializer INSTANCE = new LearnerStateSerializer();

    private static final int INLINE = 0;
    private static final int FILE = 1;

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(LearnerState state) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (state.inlineCheckpoint() != null) {
                out.writeByte(INLINE);
                out.writeInt(state.inlineCheckpoint().length);
                out.write(state.inlineCheckpoint());
            } else {
                LearnerStateFiles.Reference file = state.checkpointFile();
                out.writeByte(FILE);
                writeString(out, file.path());
                writeString(out, file.sha256());
                out.writeLong(file.bytes());
            }
            PolicyCollector.Pins pins = state.pins();
            writeString(out, pins.job());
            writeLongs(out, pins.permanent());
            writeLongs(out, pins.checkpoints());
            out.writeBoolean(pins.best() != null);
            if (pins.best() != null) {
                out.writeLong(pins.best().version());
                out.writeDouble(pins.best().accuracy());
            }
            out.writeBoolean(state.epochKl() != null);
            if (state.epochKl() != null) {
                out.writeInt(state.epochKl().open().size());
                for (Map.Entry<Long, EpochKl.Partial> e : state.epochKl().open().entrySet()) {
                    out.writeLong(e.getKey());
                    out.writeDouble(e.getValue().klSum());
                    out.writeLong(e.getValue().tokens());
                    out.writeInt(e.getValue().groups());
                }
                out.writeInt(state.epochKl().closed().size());
                for (Map.Entry<Long, Double> e : state.epochKl().closed().entrySet()) {
                    out.writeLong(e.getKey());
                    out.writeDouble(e.getValue());
                }
            }
        }
        return bytes.toByteArray();
    }

    @Override
    public LearnerState deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1) {
            throw new IOException("learner state of format version " + version + ": this Rollstream reads versions"
                    + " 1 to " + CURRENT_VERSION + "; restore it with the version that wrote it");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            byte[] inline = null;
            LearnerStateFiles.Reference file = null;
            int kind = in.readByte();
            if (kind == INLINE) {
                inline = new byte[in.readInt()];
                in.readFully(inline);
            } else if (kind == FILE) {
                file = new LearnerStateFiles.Reference(readString(in), readString(in), in.readLong());
            } else {
                throw new IOException("learner state of format version 1 with an unknown checkpoint kind " + kind);
            }
            String job = readString(in);
            List<Long> permanent = readLongs(in);
            List<Long> checkpoints = readLongs(in);
            PolicyCollector.Evaluation best =
                    in.readBoolean() ? new PolicyCollector.Evaluation(in.readLong(), in.readDouble()) : null;
            EpochKl.State epochKl = null;
            if (in.readBoolean()) {
                Map<Long, EpochKl.Partial> open = new TreeMap<>();
                for (int i = in.readInt(); i > 0; i--) {
                    open.put(in.readLong(), new EpochKl.Partial(in.readDouble(), in.readLong(), in.readInt()));
                }
                Map<Long, Double> closed = new TreeMap<>();
                for (int i = in.readInt(); i > 0; i--) {
                    closed.put(in.readLong(), in.readDouble());
                }
                epochKl = new EpochKl.State(open, closed);
            }
            if (in.read() != -1) {
                throw new IOException("learner state of format version 1 has bytes past its end");
            }
            return new LearnerState(inline, file, new PolicyCollector.Pins(job, permanent, checkpoints, best), epochKl);
        }
    }
}
