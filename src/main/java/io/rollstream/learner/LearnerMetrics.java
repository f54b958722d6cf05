package io.rollstream.learner;

import io.rollstream.eval.PassAtK;
import io.rollstream.metrics.StageMetricGroup;
import io.rollstream.types.StepMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * Metrics of the learner, {@code rollstream.learner.*}: gauges showing the latest step's
 * {@code metrics.jsonl} values under the same names, and a step counter. A gauge reads NaN until a
 * step has reported its key (e.g. {@code eval_accuracy} keeps the last evaluation once there was
 * one). {@code kl_mean} is registered only where the algorithm has a KL (reverse-KL distillation),
 * {@code eval_pass_at_<k>} only where the evaluation samples ({@code eval.samples} > 0).
 * {@code steps} counts the steps of this attempt (0 again after a restore); {@code policy_version}
 * is the run's.
 */
public final class LearnerMetrics {

    /** metrics.jsonl keys shown as gauges for every algorithm. */
    static final List<String> STEP_KEYS = List.of(
            "policy_version",
            "loss",
            "reward_mean",
            "reward_std",
            "grad_norm",
            "entropy",
            "staleness_mean",
            "staleness_max",
            "step_time_s",
            "learner_wait_s",
            "learner_tokens_per_s",
            "eval_accuracy",
            "groups_scored",
            "total_generation_efficiency",
            "total_rollout_tokens_per_trained_token",
            "total_groups_dropped_stale");

    /** The per-token reverse KL to the teacher, present in distillation steps. */
    static final String KL_KEY = "kl_mean";

    private final Counter steps;
    private final Map<String, Double> latest = new ConcurrentHashMap<>();

    /** @param evalSamples completions sampled per held-out problem for pass@k; 0 when none are */
    public LearnerMetrics(MetricGroup operatorGroup, Algorithm algorithm, int evalSamples) {
        MetricGroup g = StageMetricGroup.of(operatorGroup, "learner");
        steps = g.counter("steps");
        List<String> keys = new ArrayList<>(STEP_KEYS);
        if (algorithm == Algorithm.REVERSE_KL) {
            keys.add(KL_KEY);
        }
        if (evalSamples > 0) {
            PassAtK.ks(evalSamples).forEach(k -> keys.add(StepMetrics.PASS_AT_PREFIX + k));
        }
        for (String key : keys) {
            g.gauge(key, (Gauge<Double>) () -> latest.getOrDefault(key, Double.NaN));
        }
    }

    /** A step finished with this {@code metrics.jsonl} line; its numbers replace the shown ones. */
    public void stepDone(StepMetrics stepMetrics) {
        steps.inc();
        latest.putAll(stepMetrics.numbers());
    }
}
