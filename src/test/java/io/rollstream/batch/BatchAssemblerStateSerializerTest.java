package io.rollstream.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.types.GroupTotals;
import io.rollstream.types.GroupVerdict;
import io.rollstream.types.PoolCounts;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;
import io.rollstream.types.TrainGroup;

import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

class BatchAssemblerStateSerializerTest {

    /** Version 1's stored form of {@link #everyField()}, written once and never rewritten. */
    private static final Path VERSION_1 = Path.of("src/test/resources/state-formats/batch-assembler-state-v1.bin");

    private static final BatchAssemblerStateSerializer SERIALIZER = BatchAssemblerStateSerializer.INSTANCE;

    /**
     * A state with every field set, nulls where they may be, text a 2-byte length could not hold, and a
     * waiting group with its verdict beside one without.
     */
    static BatchAssemblerState everyField() {
        Rollout rl = new Rollout(new int[] {5, 6, 2}, new float[] {-0.5f, -1.25f, -0f}, "«ok»", 1.0, Rollout.STOP,
                null);
        Rollout distilled = new Rollout(new int[] {7}, new float[] {Float.NEGATIVE_INFINITY}, "x".repeat(70_000),
                0.0, Rollout.SCORING_FAILED + ": IllegalStateException: verifier broke", new float[] {-3.5f});
        ScoredGroup group = new ScoredGroup("p1#2", "p1", null, "1+1=", new int[] {1, 9, 4}, 2, 7, 1,
                new PoolCounts(1, 2, 3), 12.5, new Rollout[] {rl, distilled},
                new GroupVerdict(new float[] {0.5f, -0.5f}, null));
        return new BatchAssemblerState(9, new TrainGroup[] {new TrainGroup(group, new float[] {0.5f, -0.5f})}, 4, 1,
                2, 3, 0, 120, 1_700_000_000_000L, new int[] {0, 3}, new PoolCounts[] {PoolCounts.EMPTY,
                    new PoolCounts(4, 5, 6)}, new GroupTotals(10, 6, 1, 2, 3, 4, 5, 600, 300));
    }

    @Test
    void everyFieldSurvivesARoundTrip() throws IOException {
        BatchAssemblerState state = everyField();
        BatchAssemblerState back = SimpleVersionedSerialization.readVersionAndDeSerialize(SERIALIZER,
                SimpleVersionedSerialization.writeVersionAndSerialize(SERIALIZER, state));
        assertThat(back).usingRecursiveComparison().isEqualTo(state);
    }

    @Test
    void theStoredFormOfVersionOneNeverChanges() throws IOException {
        assertThat(SERIALIZER.serialize(everyField()))
                .as("a change to the stored form needs a new version (and this file keeps the old one readable)")
                .isEqualTo(Files.readAllBytes(VERSION_1));
        assertThat(SERIALIZER.deserialize(1, Files.readAllBytes(VERSION_1))).usingRecursiveComparison()
                .isEqualTo(everyField());
    }

    @Test
    void anAssemblerRestoredFromTheStoredFormContinuesAsTheOriginal() throws IOException {
        BatchAssemblyConfig config = new BatchAssemblyConfig(3 * ScoredGroups.SIZE, ScoredGroups.SIZE, 1, 0,
                GroupFilters.ALL, false);
        BatchAssembler original = new BatchAssembler(config);
        original.offer(ScoredGroups.learnable("a", 0), 1);
        original.offer(ScoredGroups.fromGenerator("b", 0, 1, new PoolCounts(1, 1, 1)), 2);
        BatchAssembler restored = BatchAssembler.restore(config,
                SERIALIZER.deserialize(1, SERIALIZER.serialize(original.snapshot())));

        Assembled fromOriginal = original.offer(ScoredGroups.learnable("c", 1), 3);
        Assembled fromRestored = restored.offer(ScoredGroups.learnable("c", 1), 3);
        assertThat(fromRestored).usingRecursiveComparison().isEqualTo(fromOriginal);
        assertThat(fromRestored.batches()).as("the restored groups make the next batch").hasSize(1);
    }

    @Test
    void anUnknownVersionIsRefusedNamingIt() {
        assertThatThrownBy(() -> SERIALIZER.deserialize(2, new byte[0])).isInstanceOf(IOException.class)
                .hasMessageContaining("format version 2");
    }
}
