package io.rollstream.metrics;

import org.apache.flink.metrics.MetricGroup;

/**
 * The metric namespace of a pipeline stage: {@code rollstream.<stage>} under the operator's own
 * group, so every metric reads {@code <flink operator scope>.rollstream.<stage>.<name>} in the web
 * UI and in reporters (Prometheus: {@code flink_taskmanager_job_task_operator_rollstream_<stage>_<name>}).
 * Metric names are the snake_case keys of {@code metrics.jsonl} where both exist.
 */
public final class StageMetricGroup {

    public static final String ROOT = "rollstream";

    private StageMetricGroup() {}

    public static MetricGroup of(MetricGroup operatorGroup, String stage) {
        return operatorGroup.addGroup(ROOT).addGroup(stage);
    }
}
