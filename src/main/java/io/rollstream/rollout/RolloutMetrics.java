package io.rollstream.rollout;

import io.rollstream.metrics.StageMetricGroup;
import io.rollstream.types.PoolCounts;
import io.rollstream.types.ScoredGroup;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;

/**
 * Metrics of one rollout subtask, {@code rollstream.rollout.*}: counters the operator bumps
 * ({@link #admitted()}, {@link #completed}) and gauges that read fields the operator keeps anyway.
 * Gauges are read by the metric reporter's thread without locking: a value may be one update old,
 * never torn in a way that matters for a dashboard. Counters count from the operator's start (0
 * again after a restore).
 */
public final class RolloutMetrics {

    /** Seconds over which {@code tokens_per_s} and {@code groups_per_s} average. */
    static final int RATE_SECONDS = 20;

    private final Counter admitted;
    private final Counter completed;
    private final Counter completionTokens;

    /**
     * Registers the metrics on the operator's group.
     *
     * @param operatorGroup the operator's metric group ({@code getMetricGroup()})
     * @param inFlight groups handed to the generation thread and not yet emitted
     * @param queued problems waiting for admission
     * @param policyVersion the newest policy version the subtask has seen (-1 before the first)
     * @param pools problems of this subtask per difficulty pool
     * @param expectedUseful the in-flight groups' summed chances of being useful (their count unless
     *     oversampling is adaptive)
     */
    public RolloutMetrics(
            MetricGroup operatorGroup,
            LongSupplier inFlight,
            LongSupplier queued,
            LongSupplier policyVersion,
            Supplier<PoolCounts> pools,
            DoubleSupplier expectedUseful) {
        MetricGroup g = StageMetricGroup.of(operatorGroup, "rollout");
        admitted = g.counter("groups_admitted");
        completed = g.counter("groups_completed");
        completionTokens = g.counter("completion_tokens");
        g.meter("tokens_per_s", new MeterView(completionTokens, RATE_SECONDS));
        g.meter("groups_per_s", new MeterView(completed, RATE_SECONDS));
        g.gauge("groups_in_flight", (Gauge<Long>) inFlight::getAsLong);
        g.gauge("problems_queued", (Gauge<Long>) queued::getAsLong);
        g.gauge("expected_useful_in_flight", (Gauge<Double>) expectedUseful::getAsDouble);
        g.gauge("policy_version", (Gauge<Long>) policyVersion::getAsLong);
        g.gauge("pool_easy", (Gauge<Long>) () -> pools.get().easy());
        g.gauge("pool_normal", (Gauge<Long>) () -> pools.get().normal());
        g.gauge("pool_hard", (Gauge<Long>) () -> pools.get().hard());
    }

    /** {@code groups} groups were handed to the generation thread. */
    public void admitted(int groups) {
        admitted.inc(groups);
    }

    /** A scored group came back from the generation thread. */
    public void completed(ScoredGroup group) {
        completed.inc();
        completionTokens.inc(group.completionTokens());
    }
}
