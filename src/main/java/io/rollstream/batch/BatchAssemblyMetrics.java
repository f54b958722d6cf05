package io.rollstream.batch;

import io.rollstream.metrics.StageMetricGroup;
import io.rollstream.types.DropReason;
import io.rollstream.types.GroupOutcome;
import io.rollstream.types.GroupTotals;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * Metrics of batch assembly, {@code rollstream.batch.*}, derived from what the assembler returns
 * (outcomes and cut batches), so the operator only hands each result over. Drop counters are named
 * {@code groups_dropped_<reason>} like the {@code metrics.jsonl} keys; {@code batch_fill} is the
 * waiting groups as a fraction of one batch (≥ 1 means the next batch could be cut but for the
 * step limit). The staleness of trained groups is the learner's ({@code rollstream.learner.staleness_*}).
 * Counters count from the operator's start: after a restore they start again at 0. The waste gauges
 * {@code generation_efficiency} (trained ÷ scored groups) and {@code rollout_tokens_per_trained_token}
 * (completion tokens generated per token trained) cover the whole run, restores included.
 */
public final class BatchAssemblyMetrics {

    private final MetricGroup group;
    private final Counter received;
    private final Counter trained;
    private final Counter batches;
    private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);

    /**
     * @param operatorGroup the operator's metric group
     * @param groupsPerBatch groups in one training batch
     * @param waitingGroups groups the assembler holds for later batches
     * @param nextStep the step of the next batch to cut
     * @param totals the assembler's whole-run counts
     */
    public BatchAssemblyMetrics(
            MetricGroup operatorGroup,
            int groupsPerBatch,
            LongSupplier waitingGroups,
            LongSupplier nextStep,
            Supplier<GroupTotals> totals) {
        group = StageMetricGroup.of(operatorGroup, "batch");
        received = group.counter("groups_received");
        trained = group.counter("groups_trained");
        batches = group.counter("batches_cut");
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason, group.counter("groups_dropped_" + reason.key()));
        }
        group.gauge("groups_waiting", (Gauge<Long>) waitingGroups::getAsLong);
        group.gauge("batch_fill", (Gauge<Double>) () -> (double) waitingGroups.getAsLong() / groupsPerBatch);
        group.gauge("next_step", (Gauge<Long>) nextStep::getAsLong);
        group.gauge("generation_efficiency", (Gauge<Double>) () -> totals.get().generationEfficiency());
        group.gauge("rollout_tokens_per_trained_token", (Gauge<Double>)
                () -> totals.get().rolloutTokensPerTrainedToken());
    }

    /** One scored group was offered and produced {@code result}. */
    public void offered(Assembled result) {
        received.inc();
        outcomes(result.outcomes());
        batches.inc(result.batches().size());
    }

    /** Outcomes decided without a new group (the end of input). */
    public void outcomes(List<GroupOutcome> outcomes) {
        for (GroupOutcome o : outcomes) {
            if (o.dropped() == null) {
                trained.inc();
            } else {
                dropped.get(o.dropped()).inc();
            }
        }
    }
}
