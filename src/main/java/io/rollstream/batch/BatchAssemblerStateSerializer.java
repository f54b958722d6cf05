package io.rollstream.batch;

import static io.rollstream.common.StoredFields.readFloats;
import static io.rollstream.common.StoredFields.readInts;
import static io.rollstream.common.StoredFields.readString;
import static io.rollstream.common.StoredFields.writeFloats;
import static io.rollstream.common.StoredFields.writeInts;
import static io.rollstream.common.StoredFields.writeString;

import io.rollstream.common.StoredFields;
import io.rollstream.types.DropReason;
import io.rollstream.types.FinishReason;
import io.rollstream.types.GroupTotals;
import io.rollstream.types.GroupVerdict;
import io.rollstream.types.PoolCounts;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;
import io.rollstream.types.TrainGroup;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The stored form of a {@link BatchAssemblerState}: field by field in a fixed order, so the format
 * is this class's and not the shape of the records it happens to be built from. Every format ever
 * written stays readable: a change writes {@link #CURRENT_VERSION} + 1 and keeps reading the older
 * versions. Fields are encoded as {@link StoredFields} says.
 *
 * <p>Version 1: next step; the waiting groups (each a scored group, with its verdict, and its
 * advantages); the per-cut counts; the generators' pool counts; the run's totals. A rollout's finish
 * reason is one string: {@code "stop"}, {@code "length"} or {@code "scoring_failed: <error>"}.
 *
 * <p>Version 2: as version 1, with each group's reference answer after its prompt (read as null from
 * version 1), and a rollout's finish reason typed: its {@link FinishReason#key()}, then the scoring
 * error (null unless {@code scoring_failed}).
 */
public final class BatchAssemblerStateSerializer implements SimpleVersionedSerializer<BatchAssemblerState> {

    public static final int CURRENT_VERSION = 2;

    public static final BatchAssemblerStateSerializer INSTANCE = new BatchAssemblerStateSerializer();

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(BatchAssemblerState s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(s.nextStep());
            out.writeInt(s.waiting().length);
            for (TrainGroup g : s.waiting()) {
                writeGroup(out, g.group());
                writeFloats(out, g.advantages());
            }
            out.writeLong(s.groupsReceived());
            out.writeLong(s.droppedZeroAdvantage());
            out.writeLong(s.droppedDifficulty());
            out.writeLong(s.droppedStale());
            out.writeLong(s.droppedLength());
            out.writeLong(s.completionTokensReceived());
            out.writeLong(s.firstArrivalMillis());
            out.writeInt(s.poolSubtasks().length);
            for (int i = 0; i < s.poolSubtasks().length; i++) {
                out.writeInt(s.poolSubtasks()[i]);
                writePools(out, s.pools()[i]);
            }
            for (long v : s.totals().toArray()) {
                out.writeLong(v);
            }
        }
        return bytes.toByteArray();
    }

    @Override
    public BatchAssemblerState deserialize(int version, byte[] serialized) throws IOException {
        if (version < 1 || version > CURRENT_VERSION) {
            throw new IOException("batch assembly state of format version " + version + ": this Rollstream reads"
                    + " versions 1 to " + CURRENT_VERSION + "; restore it with the version that wrote it");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            long nextStep = in.readLong();
            TrainGroup[] waiting = new TrainGroup[in.readInt()];
            for (int i = 0; i < waiting.length; i++) {
                waiting[i] = new TrainGroup(readGroup(in, version), readFloats(in));
            }
            long groupsReceived = in.readLong();
            long droppedZeroAdvantage = in.readLong();
            long droppedDifficulty = in.readLong();
            long droppedStale = in.readLong();
            long droppedLength = in.readLong();
            long completionTokensReceived = in.readLong();
            long firstArrivalMillis = in.readLong();
            int subtasks = in.readInt();
            int[] poolSubtasks = new int[subtasks];
            PoolCounts[] pools = new PoolCounts[subtasks];
            for (int i = 0; i < subtasks; i++) {
                poolSubtasks[i] = in.readInt();
                pools[i] = readPools(in);
            }
            long[] counts = new long[GroupTotals.COUNTS];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = in.readLong();
            }
            GroupTotals totals = GroupTotals.of(counts);
            if (in.read() != -1) {
                throw new IOException("batch assembly state of format version " + version + " has bytes past its end");
            }
            return new BatchAssemblerState(
                    nextStep,
                    waiting,
                    groupsReceived,
                    droppedZeroAdvantage,
                    droppedDifficulty,
                    droppedStale,
                    droppedLength,
                    completionTokensReceived,
                    firstArrivalMillis,
                    poolSubtasks,
                    pools,
                    totals);
        }
    }

    private static void writeGroup(DataOutputStream out, ScoredGroup g) throws IOException {
        writeString(out, g.groupId());
        writeString(out, g.problemId());
        writeString(out, g.task());
        writeString(out, g.prompt());
        writeString(out, g.answer());
        writeInts(out, g.promptTokens());
        out.writeLong(g.admission());
        out.writeLong(g.policyVersion());
        out.writeInt(g.generatorSubtask());
        writePools(out, g.pools());
        out.writeDouble(g.generationMillis());
        out.writeInt(g.rollouts().length);
        for (Rollout r : g.rollouts()) {
            writeInts(out, r.tokens());
            writeFloats(out, r.logprobs());
            writeString(out, r.text());
            out.writeDouble(r.reward());
            writeString(out, r.finish().key());
            writeString(out, r.scoringError());
            writeFloats(out, r.tokenRewards());
        }
        out.writeBoolean(g.verdict() != null);
        if (g.verdict() != null) {
            writeFloats(out, g.verdict().advantages());
            writeString(
                    out,
                    g.verdict().dropped() == null ? null : g.verdict().dropped().name());
        }
    }

    private static ScoredGroup readGroup(DataInputStream in, int version) throws IOException {
        String groupId = readString(in);
        String problemId = readString(in);
        String task = readString(in);
        String prompt = readString(in);
        String answer = version >= 2 ? readString(in) : null;
        int[] promptTokens = readInts(in);
        long admission = in.readLong();
        long policyVersion = in.readLong();
        int generatorSubtask = in.readInt();
        PoolCounts pools = readPools(in);
        double generationMillis = in.readDouble();
        Rollout[] rollouts = new Rollout[in.readInt()];
        for (int i = 0; i < rollouts.length; i++) {
            rollouts[i] = readRollout(in, version);
        }
        GroupVerdict verdict = null;
        if (in.readBoolean()) {
            float[] advantages = readFloats(in);
            String dropped = readString(in);
            verdict = new GroupVerdict(advantages, dropped == null ? null : DropReason.valueOf(dropped));
        }
        return new ScoredGroup(
                groupId,
                problemId,
                task,
                prompt,
                answer,
                promptTokens,
                admission,
                policyVersion,
                generatorSubtask,
                pools,
                generationMillis,
                rollouts,
                verdict);
    }

    private static Rollout readRollout(DataInputStream in, int version) throws IOException {
        int[] tokens = readInts(in);
        float[] logprobs = readFloats(in);
        String text = readString(in);
        double reward = in.readDouble();
        if (version == 1) {
            return Rollout.ofStringForm(tokens, logprobs, text, reward, readString(in), readFloats(in));
        }
        FinishReason finish = FinishReason.ofKey(readString(in));
        return new Rollout(tokens, logprobs, text, reward, finish, readString(in), readFloats(in));
    }

    private static void writePools(DataOutputStream out, PoolCounts p) throws IOException {
        out.writeLong(p.easy());
        out.writeLong(p.normal());
        out.writeLong(p.hard());
    }

    private static PoolCounts readPools(DataInputStream in) throws IOException {
        return new PoolCounts(in.readLong(), in.readLong(), in.readLong());
    }
}
