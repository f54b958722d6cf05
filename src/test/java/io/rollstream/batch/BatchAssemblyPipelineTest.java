package io.rollstream.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.types.DropReason;
import io.rollstream.types.GroupOutcome;
import io.rollstream.types.ScoredGroup;
import io.rollstream.types.TrainBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * The stage in a real local Flink job with generic types off: records cross the network serializers,
 * and the end of a bounded input reaches the operator, so every group gets its outcome.
 */
class BatchAssemblyPipelineTest {

    @Test
    void boundedJobTrainsOrDropsEveryGroupExactlyOnce() throws Exception {
        List<ScoredGroup> groups = RandomGroups.stream(new Random(3), 40);
        BatchAssemblyConfig config =
                new BatchAssemblyConfig(2 * ScoredGroups.SIZE, ScoredGroups.SIZE, 1, 0, GroupFilters.ALL, false);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(1, StrictSerialization.NO_GENERIC_TYPES);

        SingleOutputStreamOperator<TrainBatch> batches =
                BatchAssemblyOperator.appendTo(env.fromData(groups, TypeInformation.of(ScoredGroup.class)), config);
        CloseableIterator<TrainBatch> batchIt = batches.collectAsync();
        CloseableIterator<GroupOutcome> outcomeIt =
                batches.getSideOutput(BatchAssemblyOperator.OUTCOMES).collectAsync();
        env.execute("batch-assembly-test");

        List<TrainBatch> trained = new ArrayList<>();
        batchIt.forEachRemaining(trained::add);
        List<GroupOutcome> outcomes = new ArrayList<>();
        outcomeIt.forEachRemaining(outcomes::add);

        // the same stream through the plain assembler gives the same result
        BatchAssembler reference = new BatchAssembler(config);
        List<TrainBatch> expectedBatches = new ArrayList<>();
        List<GroupOutcome> expectedOutcomes = new ArrayList<>();
        for (ScoredGroup g : groups) {
            Assembled a = reference.offer(g, 0);
            expectedBatches.addAll(a.batches());
            expectedOutcomes.addAll(a.outcomes());
        }
        expectedOutcomes.addAll(reference.flushAtEnd());

        assertThat(trained)
                .extracting(b -> b.step() + ":" + b.rollouts() + ":" + b.groups().length)
                .containsExactlyElementsOf(expectedBatches.stream()
                        .map(b -> b.step() + ":" + b.rollouts() + ":" + b.groups().length)
                        .toList());
        assertThat(outcomes)
                .extracting(Traces::outcome)
                .containsExactlyElementsOf(
                        expectedOutcomes.stream().map(Traces::outcome).toList());
        assertThat(outcomes)
                .extracting(o -> o.group().groupId())
                .containsExactlyInAnyOrderElementsOf(
                        groups.stream().map(ScoredGroup::groupId).toList());
        assertThat(outcomes).anyMatch(o -> DropReason.END_OF_INPUT.equals(o.dropped()));
    }
}
