package io.rollstream.output;

import io.rollstream.common.Json;
import io.rollstream.types.InvalidRecord;
import io.rollstream.types.StepReport;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.util.Collector;

import java.util.List;

/**
 * Adds {@code invalid_records} — how many records the run has refused so far — to every learner
 * step report on its way to {@code metrics.jsonl}. Its first input is the learner's reports, its
 * second the records on their way to {@code invalid-records.jsonl}; the count is operator state,
 * checkpointed with the sinks it sits before, so after a restore it matches the restored files. Runs
 * with parallelism 1.
 */
public final class InvalidRecordCount extends CoProcessFunction<StepReport, InvalidRecord, StepReport>
        implements CheckpointedFunction {

    /** The key added to each metrics line. */
    public static final String KEY = "invalid_records";

    private transient ListState<Long> checkpointed;
    private long count;

    @Override
    public void processElement1(StepReport report, Context ctx, Collector<StepReport> out) throws Exception {
        out.collect(withCount(report, count));
    }

    @Override
    public void processElement2(InvalidRecord record, Context ctx, Collector<StepReport> out) {
        count++;
    }

    /** {@code report} with {@value #KEY} set to {@code count}, after its other keys. */
    static StepReport withCount(StepReport report, long count) throws Exception {
        ObjectNode line = (ObjectNode) Json.mapper().readTree(report.json());
        line.put(KEY, count);
        return new StepReport(report.phase(), report.step(), Json.mapper().writeValueAsString(line));
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        checkpointed.update(List.of(count));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        checkpointed = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("invalid-records",
                Types.LONG));
        count = 0;
        for (Long restored : checkpointed.get()) {
            count += restored;
        }
    }
}
