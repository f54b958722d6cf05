package io.rollstream.batch;

import io.rollstream.types.GroupTotals;
import io.rollstream.types.PoolCounts;
import io.rollstream.types.TrainGroup;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;

/**
 * Everything a {@link BatchAssembler} holds, as one Flink-serializable value (a record of
 * primitives, strings, arrays and records, so Flink's POJO serializer handles it and Kryo is never
 * needed). {@link BatchAssembler#restore} turns it back into an assembler that continues exactly as
 * the snapshotted one would have. Treat it as immutable: the arrays are copies owned by this value.
 *
 * <p>The configuration is not part of the state; it comes from the job on every start.
 *
 * @param nextStep the step of the next batch to cut (0-based)
 * @param waiting groups waiting for a batch, in arrival order
 * @param groupsReceived groups received since the previous cut
 * @param droppedZeroAdvantage zero-advantage drops since the previous cut
 * @param droppedDifficulty difficulty drops since the previous cut
 * @param droppedStale stale drops since the previous cut
 * @param droppedLength length drops since the previous cut
 * @param completionTokensReceived completion tokens of the groups received since the previous cut
 * @param firstArrivalMillis arrival time of the first of those groups; meaningful only when
 *     {@code groupsReceived > 0}
 * @param poolSubtasks generator subtasks that reported pool counts, ascending
 * @param pools the latest pool counts of each of those subtasks (same index)
 * @param totals the whole run's counts so far
 */
public record BatchAssemblerState(
        long nextStep,
        TrainGroup[] waiting,
        long groupsReceived,
        long droppedZeroAdvantage,
        long droppedDifficulty,
        long droppedStale,
        long droppedLength,
        long completionTokensReceived,
        long firstArrivalMillis,
        int[] poolSubtasks,
        PoolCounts[] pools,
        GroupTotals totals) {

    /** Flink type of the state; a {@link PojoTypeInfo}. */
    public static final TypeInformation<BatchAssemblerState> TYPE = TypeInformation.of(BatchAssemblerState.class);

    public BatchAssemblerState {
        if (poolSubtasks.length != pools.length) {
            throw new IllegalArgumentException("one pool count per generator subtask is required");
        }
    }
}
