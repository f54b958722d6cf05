package io.rollstream.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.types.BatchStats;
import io.rollstream.types.DropReason;
import io.rollstream.types.GroupOutcome;
import io.rollstream.types.PoolCounts;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;
import io.rollstream.types.TrainBatch;
import io.rollstream.types.TrainGroup;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

/** The records that batch assembly reads, writes and keeps are Flink POJOs, never Kryo generics. */
class FlinkTypesTest {

    @Test
    void streamAndStateRecordsArePojoTypes() {
        for (Class<?> type : List.of(
                ScoredGroup.class,
                Rollout.class,
                PoolCounts.class,
                TrainGroup.class,
                TrainBatch.class,
                BatchStats.class,
                GroupOutcome.class,
                BatchAssemblerState.class)) {
            assertThat(TypeInformation.of(type)).as(type.getSimpleName()).isInstanceOf(PojoTypeInfo.class);
        }
        assertThat(BatchAssemblyOperator.OUTCOMES.getTypeInfo()).isInstanceOf(PojoTypeInfo.class);
    }

    @Test
    void recordsWithNullFieldsRoundTripWithGenericTypesOff() {
        ScoredGroup group = ScoredGroups.learnable("a", 3); // Rollout.tokenRewards is null
        GroupOutcome dropped = GroupOutcome.dropped(group, Advantages.of(group, false), DropReason.STALE);
        GroupOutcome trained = new GroupOutcome(group, null, 4, null);

        GroupOutcome d = StrictSerialization.roundTrip(TypeInformation.of(GroupOutcome.class), dropped);
        GroupOutcome t = StrictSerialization.roundTrip(TypeInformation.of(GroupOutcome.class), trained);

        assertThat(Traces.outcome(d)).isEqualTo(Traces.outcome(dropped));
        assertThat(d.group().rollouts()[0].tokenRewards()).isNull();
        assertThat(d.group().rollouts()[0].tokens()).containsExactly(group.rollouts()[0].tokens());
        assertThat(t.dropped()).isNull();
        assertThat(t.advantages()).isNull();
        assertThat(t.trainedStep()).isEqualTo(4);
    }
}
