package io.rollstream.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.types.FinishReason;
import io.rollstream.types.GroupTotals;
import io.rollstream.types.GroupVerdict;
import io.rollstream.types.PoolCounts;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;
import io.rollstream.types.TrainGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

class BatchAssemblerStateSerializerTest {

    /** Version 1's stored form of {@link #versionOneState()}, written once and never rewritten. */
    private static final Path VERSION_1 = Path.of("src/test/resources/state-formats/batch-assembler-state-v1.bin");
    /** Version 2's stored form of {@link #everyField()}, written once and never rewritten. */
    private static final Path VERSION_2 = Path.of("src/test/resources/state-formats/batch-assembler-state-v2.bin");

    private static final BatchAssemblerStateSerializer SERIALIZER = BatchAssemblerStateSerializer.INSTANCE;

    private static final Rollout STOPPED = new Rollout(
            new int[] {5, 6, 2}, new float[] {-0.5f, -1.25f, -0f}, "«ok»", 1.0, FinishReason.STOP, null, null);
    private static final Rollout SCORING_FAILED = new Rollout(
            new int[] {7},
            new float[] {Float.NEGATIVE_INFINITY},
            "x".repeat(70_000),
            0.0,
            FinishReason.SCORING_FAILED,
            "IllegalStateException: verifier broke: a: b",
            new float[] {-3.5f});
    private static final Rollout CUT =
            new Rollout(new int[] {8, 9}, new float[] {-1f, -2f}, "cut", 0.5, FinishReason.LENGTH, null, null);

    /**
     * A state with every field set, nulls where they may be, text a 2-byte length could not hold, each
     * finish reason, and a waiting group with its verdict and its answer.
     */
    static BatchAssemblerState everyField() {
        return state("2", new Rollout[] {STOPPED, SCORING_FAILED, CUT});
    }

    /**
     * What {@link #VERSION_1} holds: the state version 1 was written from, its finish reasons strings
     * then ({@code "stop"}, {@code "scoring_failed: IllegalStateException: verifier broke"}) and no answer.
     */
    static BatchAssemblerState versionOneState() {
        Rollout failed = new Rollout(
                SCORING_FAILED.tokens(),
                SCORING_FAILED.logprobs(),
                SCORING_FAILED.text(),
                0.0,
                FinishReason.SCORING_FAILED,
                "IllegalStateException: verifier broke",
                SCORING_FAILED.tokenRewards());
        return state(null, new Rollout[] {STOPPED, failed});
    }

    private static BatchAssemblerState state(String answer, Rollout[] rollouts) {
        float[] advantages = new float[rollouts.length];
        for (int i = 0; i < advantages.length; i++) {
            advantages[i] = 0.5f - i;
        }
        ScoredGroup group = new ScoredGroup(
                "p1#2",
                "p1",
                null,
                "1+1=",
                answer,
                new int[] {1, 9, 4},
                2,
                7,
                1,
                new PoolCounts(1, 2, 3),
                12.5,
                rollouts,
                new GroupVerdict(advantages, null));
        return new BatchAssemblerState(
                9,
                new TrainGroup[] {new TrainGroup(group, advantages)},
                4,
                1,
                2,
                3,
                0,
                120,
                1_700_000_000_000L,
                new int[] {0, 3},
                new PoolCounts[] {PoolCounts.EMPTY, new PoolCounts(4, 5, 6)},
                new GroupTotals(10, 6, 1, 2, 3, 4, 5, 600, 300));
    }

    @Test
    void everyFieldSurvivesARoundTrip() throws IOException {
        BatchAssemblerState state = everyField();
        BatchAssemblerState back = SimpleVersionedSerialization.readVersionAndDeSerialize(
                SERIALIZER, SimpleVersionedSerialization.writeVersionAndSerialize(SERIALIZER, state));
        assertThat(back).usingRecursiveComparison().isEqualTo(state);
        Rollout[] rollouts = back.waiting()[0].group().rollouts();
        assertThat(rollouts)
                .extracting(Rollout::finish)
                .containsExactly(FinishReason.STOP, FinishReason.SCORING_FAILED, FinishReason.LENGTH);
        assertThat(rollouts[1].scoringError()).isEqualTo("IllegalStateException: verifier broke: a: b");
        assertThat(back.waiting()[0].group().answer()).isEqualTo("2");
    }

    @Test
    void theStoredFormOfVersionTwoNeverChanges() throws IOException {
        assertThat(SERIALIZER.getVersion()).isEqualTo(2);
        assertThat(SERIALIZER.serialize(everyField()))
                .as("a change to the stored form needs a new version (and this file keeps the old one readable)")
                .isEqualTo(Files.readAllBytes(VERSION_2));
        assertThat(SERIALIZER.deserialize(2, Files.readAllBytes(VERSION_2)))
                .usingRecursiveComparison()
                .isEqualTo(everyField());
    }

    @Test
    @SuppressWarnings("deprecation") // finishReason(): checked to be null
    void versionOneIsReadWithItsFinishReasonStringsTypedAndNoAnswer() throws IOException {
        BatchAssemblerState back = SERIALIZER.deserialize(1, Files.readAllBytes(VERSION_1));

        assertThat(back).usingRecursiveComparison().isEqualTo(versionOneState());
        Rollout[] rollouts = back.waiting()[0].group().rollouts();
        assertThat(rollouts[0].finish()).isEqualTo(FinishReason.STOP);
        assertThat(rollouts[0].scoringError()).isNull();
        assertThat(rollouts[1].finish()).isEqualTo(FinishReason.SCORING_FAILED);
        assertThat(rollouts[1].scoringError()).isEqualTo("IllegalStateException: verifier broke");
        assertThat(rollouts[1].finishText()).isEqualTo("scoring_failed: IllegalStateException: verifier broke");
        assertThat(rollouts).extracting(Rollout::finishReason).containsOnlyNulls();
        assertThat(back.waiting()[0].group().answer()).isNull();
    }

    /** Writes {@link #VERSION_2} once: {@code -Dstate.formats.write=true}; never run to make a failing test pass. */
    @Test
    @EnabledIfSystemProperty(named = "state.formats.write", matches = "true")
    void writeVersionTwo() throws IOException {
        Files.write(VERSION_2, SERIALIZER.serialize(everyField()));
    }

    @Test
    void anAssemblerRestoredFromTheStoredFormContinuesAsTheOriginal() throws IOException {
        BatchAssemblyConfig config =
                new BatchAssemblyConfig(3 * ScoredGroups.SIZE, ScoredGroups.SIZE, 1, 0, GroupFilters.ALL, false);
        BatchAssembler original = new BatchAssembler(config);
        original.offer(ScoredGroups.learnable("a", 0), 1);
        original.offer(ScoredGroups.fromGenerator("b", 0, 1, new PoolCounts(1, 1, 1)), 2);
        BatchAssembler restored =
                BatchAssembler.restore(config, SERIALIZER.deserialize(2, SERIALIZER.serialize(original.snapshot())));

        Assembled fromOriginal = original.offer(ScoredGroups.learnable("c", 1), 3);
        Assembled fromRestored = restored.offer(ScoredGroups.learnable("c", 1), 3);
        assertThat(fromRestored).usingRecursiveComparison().isEqualTo(fromOriginal);
        assertThat(fromRestored.batches())
                .as("the restored groups make the next batch")
                .hasSize(1);
    }

    @Test
    void anUnknownVersionIsRefusedNamingIt() {
        assertThatThrownBy(() -> SERIALIZER.deserialize(3, new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("format version 3")
                .hasMessageContaining("versions 1 to 2");
    }
}
