package io.rollstream.metrics;

import io.rollstream.batch.Assembled;
import io.rollstream.batch.DropReasons;
import io.rollstream.types.GroupOutcome;
import io.rollstream.types.TrainBatch;
import io.rollstream.types.TrainGroup;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Metrics of batch assembly, {@code rollstream.batch.*}, derived from what the assembler returns
 * (outcomes and cut batches), so the operator only hands each result over. Drop counters are named
 * {@code groups_dropped_<reason>} like the {@code metrics.jsonl} keys; {@code batch_fill} is the
 * waiting groups as a fraction of one batch (≥ 1 means the next batch could be cut but for the
 * step limit); staleness is that of the last batch cut.
 */
public final class BatchAssemblyMetrics {

    private static final List<String> REASONS = List.of(DropReasons.ZERO_ADVANTAGE, DropReasons.DIFFICULTY,
            DropReasons.STALE, DropReasons.LENGTH, DropReasons.END_OF_INPUT);

    private final MetricGroup group;
    private final Counter received;
    private final Counter trained;
    private final Counter batches;
    private final Map<String, Counter> dropped = new LinkedHashMap<>();
    private volatile double stalenessMean = Double.NaN;
    private volatile long stalenessMax;

    /**
     * @param operatorGroup the operator's metric group
     * @param groupsPerBatch groups in one training batch
     * @param waitingGroups groups the assembler holds for later batches
     * @param nextStep the step of the next batch to cut
     */
    public BatchAssemblyMetrics(MetricGroup operatorGroup, int groupsPerBatch, LongSupplier waitingGroups,
            LongSupplier nextStep) {
        MetricGroup g = StageMetricGroup.of(operatorGroup, "batch");
        group = g;
        received = g.counter("groups_received");
        trained = g.counter("groups_trained");
        batches = g.counter("batches_cut");
        for (String reason : REASONS) {
            dropped.put(reason, g.counter("groups_dropped_" + reason));
        }
        g.gauge("groups_waiting", (Gauge<Long>) waitingGroups::getAsLong);
        g.gauge("batch_fill", (Gauge<Double>) () -> (double) waitingGroups.getAsLong() / groupsPerBatch);
        g.gauge("next_step", (Gauge<Long>) nextStep::getAsLong);
        g.gauge("staleness_mean", (Gauge<Double>) () -> stalenessMean);
        g.gauge("staleness_max", (Gauge<Long>) () -> stalenessMax);
    }

    /** One scored group was offered and produced {@code result}. */
    public void offered(Assembled result) {
        received.inc();
        outcomes(result.outcomes());
        for (TrainBatch b : result.batches()) {
            batches.inc();
            double sum = 0;
            long max = 0;
            for (TrainGroup t : b.groups()) {
                long staleness = b.step() - t.group().policyVersion();
                sum += staleness;
                max = Math.max(max, staleness);
            }
            stalenessMean = sum / b.groups().length;
            stalenessMax = max;
        }
    }

    /** Outcomes decided without a new group (the end of input). */
    public void outcomes(List<GroupOutcome> outcomes) {
        for (GroupOutcome o : outcomes) {
            if (o.dropped() == null) {
                trained.inc();
            } else {
                // a reason added to DropReasons later still gets its counter, from its first drop on
                dropped.computeIfAbsent(o.dropped(), reason -> group.counter("groups_dropped_" + reason)).inc();
            }
        }
    }
}
