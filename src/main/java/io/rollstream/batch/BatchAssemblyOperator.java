package io.rollstream.batch;

import io.rollstream.types.GroupOutcome;
import io.rollstream.types.ScoredGroup;
import io.rollstream.types.TrainBatch;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * The batch-assembly stage: a thin Flink operator around {@link BatchAssembler} (parallelism 1,
 * non-keyed). Scored groups in; {@link TrainBatch}es on the main output; one {@link GroupOutcome}
 * per scored group on the {@link #OUTCOMES} side output (trained, dropped, or "end_of_input" when a
 * bounded input ends).
 *
 * <p>A custom operator rather than a ProcessFunction because a ProcessFunction cannot see the end of
 * input ({@link BoundedOneInput#endInput()}), which is where waiting groups get their outcome. Its
 * whole state is the assembler's snapshot, one element of operator list state {@link #STATE_NAME} in
 * the versioned form of {@link BatchAssemblerStateSerializer}; a restore with more than one element
 * is refused (it would mean two assemblers' worth of groups). Savepoints written before the
 * versioned form hold the snapshot under {@link #POJO_STATE_NAME} on Flink's POJO serializer: it is
 * read once and not written again (Flink restores it into today's records by field name before this
 * operator runs; {@link io.rollstream.types.Rollout} says how a rollout's old string finish reason
 * survives that).
 * Wall-clock times come from the processing-time service, so harness tests control them.
 */
public final class BatchAssemblyOperator extends AbstractStreamOperator<TrainBatch>
        implements OneInputStreamOperator<ScoredGroup, TrainBatch>, BoundedOneInput {

    /** Operator list-state name holding the single {@link BatchAssemblerState}, versioned bytes. */
    public static final String STATE_NAME = "batch-assembler-state";
    /** Where savepoints of main at ee02833 and earlier hold the state, on the POJO serializer. */
    static final String POJO_STATE_NAME = "batch-assembler";
    /** Operator uid and name in the job graph (stable, so savepoints map back to it). */
    public static final String UID = "batch-assembly";
    /** Side output with the outcome of every scored group. */
    public static final OutputTag<GroupOutcome> OUTCOMES =
            new OutputTag<>("group-outcomes", TypeInformation.of(GroupOutcome.class));

    private final BatchAssemblyConfig config;
    private transient ListState<byte[]> state;
    private transient BatchAssembler assembler;
    private transient BatchAssemblyMetrics stageMetrics;

    public BatchAssemblyOperator(BatchAssemblyConfig config) {
        this.config = config;
    }

    /**
     * Adds the stage to a job: {@code groups → batch assembly (parallelism 1)}; read the outcomes
     * with {@code result.getSideOutput(OUTCOMES)}.
     */
    public static SingleOutputStreamOperator<TrainBatch> appendTo(
            DataStream<ScoredGroup> groups, BatchAssemblyConfig config) {
        return groups.transform(UID, TypeInformation.of(TrainBatch.class), new BatchAssemblyOperator(config))
                .uid(UID)
                .setParallelism(1)
                .setMaxParallelism(1);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        state = context.getOperatorStateStore()
                .getListState(
                        new ListStateDescriptor<>(STATE_NAME, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        List<BatchAssemblerState> restored = new ArrayList<>();
        for (byte[] bytes : state.get()) {
            restored.add(SimpleVersionedSerialization.readVersionAndDeSerialize(
                    BatchAssemblerStateSerializer.INSTANCE, bytes));
        }
        ListState<BatchAssemblerState> pojoState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>(POJO_STATE_NAME, BatchAssemblerState.TYPE));
        pojoState.get().forEach(restored::add);
        pojoState.clear(); // snapshots write the versioned form only
        if (restored.size() > 1) {
            throw new IllegalStateException("batch assembly runs with parallelism 1 and expects at most one '"
                    + STATE_NAME + "' state element, found " + restored.size());
        }
        assembler = restored.isEmpty() ? new BatchAssembler(config) : BatchAssembler.restore(config, restored.get(0));
    }

    @Override
    public void open() throws Exception {
        super.open();
        stageMetrics = new BatchAssemblyMetrics(
                getMetricGroup(),
                config.groupsPerBatch(),
                () -> assembler.waitingGroups(),
                () -> assembler.nextStep(),
                () -> assembler.totals());
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        state.update(List.of(SimpleVersionedSerialization.writeVersionAndSerialize(
                BatchAssemblerStateSerializer.INSTANCE, assembler.snapshot())));
    }

    @Override
    public void processElement(StreamRecord<ScoredGroup> element) {
        Assembled out =
                assembler.offer(element.getValue(), getProcessingTimeService().getCurrentProcessingTime());
        out.batches().forEach(b -> output.collect(new StreamRecord<>(b)));
        emit(out.outcomes());
        stageMetrics.offered(out);
    }

    @Override
    public void endInput() {
        List<GroupOutcome> flushed = assembler.flushAtEnd();
        emit(flushed);
        stageMetrics.outcomes(flushed);
    }

    private void emit(List<GroupOutcome> outcomes) {
        outcomes.forEach(o -> output.collect(OUTCOMES, new StreamRecord<>(o)));
    }
}
