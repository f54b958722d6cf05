package io.rollstream.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.types.FinishReason;
import io.rollstream.types.GroupOutcome;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;
import io.rollstream.types.TrainBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The batch-assembly operator in Flink's one-input operator harness, with generic types off. */
@SuppressWarnings("try") // the harness's close() may throw InterruptedException; fine in tests
class BatchAssemblyOperatorTest {

    /** Batches of 2 groups × 4 rollouts; staleness ≤ 1. */
    private static final BatchAssemblyConfig CONFIG =
            new BatchAssemblyConfig(2 * ScoredGroups.SIZE, ScoredGroups.SIZE, 1, 0, GroupFilters.ALL, false);

    private static OneInputStreamOperatorTestHarness<ScoredGroup, TrainBatch> harness() throws Exception {
        return harness(CONFIG);
    }

    private static OneInputStreamOperatorTestHarness<ScoredGroup, TrainBatch> harness(BatchAssemblyConfig config)
            throws Exception {
        var harness = new OneInputStreamOperatorTestHarness<>(
                new BatchAssemblyOperator(config),
                TypeInformation.of(ScoredGroup.class).createSerializer(StrictSerialization.serializerConfig()));
        harness.getExecutionConfig()
                .configure(StrictSerialization.NO_GENERIC_TYPES, BatchAssemblyOperatorTest.class.getClassLoader());
        harness.setup(TypeInformation.of(TrainBatch.class).createSerializer(StrictSerialization.serializerConfig()));
        return harness;
    }

    /** Processes each group at processing time 1000 + its index in {@code groups}. */
    private static void process(
            OneInputStreamOperatorTestHarness<ScoredGroup, TrainBatch> harness, List<ScoredGroup> groups)
            throws Exception {
        for (int i = 0; i < groups.size(); i++) {
            harness.setProcessingTime(1000 + i);
            harness.processElement(groups.get(i), 0);
        }
    }

    private static List<TrainBatch> batches(OneInputStreamOperatorTestHarness<ScoredGroup, TrainBatch> harness) {
        return harness.extractOutputValues();
    }

    private static List<GroupOutcome> outcomes(OneInputStreamOperatorTestHarness<ScoredGroup, TrainBatch> harness) {
        ConcurrentLinkedQueue<StreamRecord<GroupOutcome>> side = harness.getSideOutput(BatchAssemblyOperator.OUTCOMES);
        return side == null
                ? List.of()
                : side.stream().map(StreamRecord::getValue).toList();
    }

    private static List<String> trace(OneInputStreamOperatorTestHarness<ScoredGroup, TrainBatch> harness) {
        List<String> lines = new ArrayList<>();
        batches(harness).forEach(b -> lines.add(Traces.batch(b)));
        outcomes(harness).forEach(o -> lines.add(Traces.outcome(o)));
        return lines;
    }

    private static List<String> fates(List<GroupOutcome> outcomes) {
        return outcomes.stream()
                .map(o -> o.group().problemId() + ":"
                        + (o.dropped() == null ? "trained@" + o.trainedStep() : o.dropped()))
                .toList();
    }

    @Test
    void emitsExactBatchesAndEveryOutcomeOnTheSideOutput() throws Exception {
        try (var harness = harness()) {
            assertThat(harness.getExecutionConfig().getSerializerConfig().hasGenericTypesDisabled())
                    .isTrue();
            harness.open();
            process(
                    harness,
                    List.of(
                            ScoredGroups.learnable("a", 0),
                            ScoredGroups.solved("easy", 0),
                            ScoredGroups.learnable("b", 0),
                            ScoredGroups.learnable("c", 1),
                            ScoredGroups.learnable("d", 1),
                            ScoredGroups.learnable("e", 1)));
            harness.endInput();

            List<TrainBatch> batches = batches(harness);
            assertThat(batches).extracting(TrainBatch::step).containsExactly(0L, 1L);
            assertThat(batches).allSatisfy(b -> {
                assertThat(b.rollouts()).isEqualTo(CONFIG.batchSize());
                assertThat(b.groups()).hasSize(CONFIG.groupsPerBatch());
            });
            assertThat(fates(outcomes(harness)))
                    .containsExactly(
                            "easy:difficulty",
                            "a:trained@0",
                            "b:trained@0",
                            "c:trained@1",
                            "d:trained@1",
                            "e:end_of_input");
            // wall-clock times come from the processing-time service: a at 1000, cut at b (1002)
            assertThat(batches.get(0).stats().firstArrivalMillis()).isEqualTo(1000);
            assertThat(batches.get(0).stats().cutMillis()).isEqualTo(1002);
            assertThat(batches.get(0).stats().groupsDroppedDifficulty()).isEqualTo(1);
        }
    }

    @Test
    void surplusCarriesOverAndStaleGroupsAreDropped() throws Exception {
        try (var harness = harness()) {
            harness.open();
            process(
                    harness,
                    List.of(
                            ScoredGroups.learnable("a", 0),
                            ScoredGroups.learnable("b", 0),
                            ScoredGroups.learnable("c", 0), // surplus: waits for step 1
                            ScoredGroups.learnable("d", 1), // step 1 = [c, d]: the carried group first
                            ScoredGroups.learnable("late", 0))); // at step 2: staleness 2 > 1

            List<TrainBatch> batches = batches(harness);
            assertThat(Arrays.stream(batches.get(1).groups()).map(g -> g.group().problemId()))
                    .containsExactly("c", "d");
            assertThat(fates(outcomes(harness)))
                    .containsExactly("a:trained@0", "b:trained@0", "c:trained@1", "d:trained@1", "late:stale");
        }
    }

    @Test
    void snapshotRestoresIntoANewOperatorThatContinuesIdentically() throws Exception {
        List<ScoredGroup> stream = RandomGroups.stream(new Random(11), 60);
        List<ScoredGroup> before = stream.subList(0, 27);
        List<ScoredGroup> after = stream.subList(27, stream.size());

        OperatorSubtaskState snapshot;
        List<String> expected;
        try (var original = harness()) {
            original.open();
            process(original, before);
            snapshot = original.snapshot(1, 1L);
            original.getOutput().clear();
            outcomesQueueClear(original);
            process(original, after);
            original.endInput();
            expected = trace(original);
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            process(restored, after);
            restored.endInput();
            assertThat(expected).anyMatch(line -> line.startsWith("batch "));
            assertThat(trace(restored)).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aWaitingGroupKeepsItsAnswerAndFinishReasonsThroughASnapshot() throws Exception {
        BatchAssemblyConfig keepTruncated = new BatchAssemblyConfig(
                2 * ScoredGroups.SIZE, ScoredGroups.SIZE, 1, 0, new GroupFilters(false, true, true), false);
        ScoredGroup waiting = ScoredGroups.truncated("cut", 0);
        OperatorSubtaskState snapshot;
        try (var original = harness(keepTruncated)) {
            original.open();
            original.processElement(waiting, 0);
            snapshot = original.snapshot(1, 1L);
        }
        try (var restored = harness(keepTruncated)) {
            restored.initializeState(snapshot);
            restored.open();
            restored.endInput();
            ScoredGroup back = outcomes(restored).get(0).group();
            assertThat(back.groupId()).isEqualTo(waiting.groupId());
            assertThat(back.answer()).isEqualTo("answer of cut");
            assertThat(back.rollouts())
                    .extracting(Rollout::finish)
                    .containsExactly(FinishReason.STOP, FinishReason.STOP, FinishReason.STOP, FinishReason.LENGTH);
        }
    }

    @Test
    void restoringMoreThanOneAssemblerStateIsRefused() throws Exception {
        OperatorSubtaskState first;
        OperatorSubtaskState second;
        try (var a = harness();
                var b = harness()) {
            a.open();
            b.open();
            process(a, List.of(ScoredGroups.learnable("a", 0)));
            first = a.snapshot(1, 1L);
            second = b.snapshot(1, 1L);
        }
        OperatorSubtaskState both = AbstractStreamOperatorTestHarness.repackageState(first, second);
        try (var restored = harness()) {
            assertThatThrownBy(() -> restored.initializeState(both))
                    .hasStackTraceContaining("expects at most one '" + BatchAssemblyOperator.STATE_NAME + "'")
                    .hasStackTraceContaining("found 2");
        }
    }

    private static void outcomesQueueClear(OneInputStreamOperatorTestHarness<ScoredGroup, TrainBatch> harness) {
        var side = harness.getSideOutput(BatchAssemblyOperator.OUTCOMES);
        if (side != null) {
            side.clear();
        }
    }
}
