package io.rollstream.output;

import io.rollstream.types.InvalidRecord;
import io.rollstream.types.StepMetrics;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Adds {@code invalid_records} — how many records the run has refused so far — to every learner
 * step report on its way to {@code metrics.jsonl}. Its first input is the learner's reports, its
 * second the records on their way to {@code invalid-records.jsonl}; the count is operator state,
 * checkpointed with the sinks it sits before, so after a restore it matches the restored files. Runs
 * with parallelism 1.
 */
public final class InvalidRecordCount extends CoProcessFunction<StepMetrics, InvalidRecord, StepMetrics>
        implements CheckpointedFunction {

    private transient ListState<Long> checkpointed;
    private long count;

    @Override
    public void processElement1(StepMetrics report, Context ctx, Collector<StepMetrics> out) {
        out.collect(report.withInvalidRecords(count));
    }

    @Override
    public void processElement2(InvalidRecord record, Context ctx, Collector<StepMetrics> out) {
        count++;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        checkpointed.update(List.of(count));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        checkpointed =
                context.getOperatorStateStore().getListState(new ListStateDescriptor<>("invalid-records", Types.LONG));
        count = 0;
        for (Long restored : checkpointed.get()) {
            count += restored;
        }
    }
}
