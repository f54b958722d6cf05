package io.rollstream.report;

import com.fasterxml.jackson.databind.JsonNode;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

import java.util.ArrayList;
import java.util.List;

/**
 * The report's charts, drawn with XChart from a run's records. RL charts plot {@code metrics.jsonl}
 * keys against the learner step; held-out accuracy is plotted against the policy version it
 * measured (0 = the initial, possibly SFT-warm-started policy; n = after RL step n − 1). A chart
 * whose keys no line carries (KL outside distillation, SFT loss without a warm start) is left out.
 */
public final class ReportCharts {

    static final int WIDTH = 800;
    static final int HEIGHT = 400;

    /** A chart and the file name it is saved under. */
    public record NamedChart(String file, String title, Chart<?, ?> chart) {}

    private ReportCharts() {}

    public static List<NamedChart> of(RunRecords run) {
        List<NamedChart> charts = new ArrayList<>();
        List<JsonNode> rl = run.rl();
        addLines(charts, "reward", "Reward (training batches)", "reward", rl, "reward_mean", "reward_std");
        XYChart accuracy = accuracy(run);
        if (accuracy != null) {
            charts.add(new NamedChart("accuracy.png", accuracy.getTitle(), accuracy));
        }
        addLines(charts, "kl", "Reverse KL to the teacher (per token)", "KL", rl, "kl_mean");
        addLines(charts, "staleness", "Staleness of trained groups (steps)", "steps", rl, "staleness_mean",
                "staleness_max");
        addLines(charts, "pools", "Difficulty pools (problems)", "problems", rl, "pool_easy", "pool_normal",
                "pool_hard");
        addLines(charts, "filters", "Groups per step: scored, trained and dropped by filter", "groups", rl,
                "groups_scored", "groups_trained", "groups_dropped_zero_advantage", "groups_dropped_difficulty",
                "groups_dropped_stale", "groups_dropped_length");
        addLines(charts, "waste", "Waste of generation (whole run so far)", "ratio", rl, "total_generation_efficiency",
                "total_rollout_tokens_per_trained_token");
        addLines(charts, "throughput", "Throughput (tokens/s)", "tokens/s", rl, "rollout_tokens_per_s",
                "learner_tokens_per_s");
        CategoryChart split = timeSplit(rl);
        if (split != null) {
            charts.add(new NamedChart("time-split.png", split.getTitle(), split));
        }
        addLines(charts, "learner", "Learner: loss, gradient norm, entropy", "value", rl, "loss", "grad_norm",
                "entropy");
        addLines(charts, "sft-loss", "SFT warm start: loss", "loss", run.sft(), "loss");
        return charts;
    }

    /** One series per key present in {@code lines}, against their {@code step}; nothing when none is. */
    private static void addLines(List<NamedChart> charts, String name, String title, String yTitle,
            List<JsonNode> lines, String... keys) {
        XYChart chart = xy(title, "step", yTitle);
        for (String key : keys) {
            addSeries(chart, key, lines);
        }
        if (!chart.getSeriesMap().isEmpty()) {
            charts.add(new NamedChart(name + ".png", title, chart));
        }
    }

    /** The last SFT evaluation at version 0, then every RL evaluation at the version it measured. */
    private static XYChart accuracy(RunRecords run) {
        List<double[]> points = new ArrayList<>();
        run.sft().stream().filter(m -> m.has("eval_accuracy")).reduce((a, b) -> b)
                .ifPresent(m -> points.add(new double[] {0, m.path("eval_accuracy").asDouble()}));
        for (JsonNode m : run.rl()) {
            if (m.has("eval_accuracy")) {
                points.add(new double[] {m.path("step").asLong() + 1, m.path("eval_accuracy").asDouble()});
            }
        }
        if (points.isEmpty()) {
            return null;
        }
        XYChart chart = xy("Held-out accuracy (greedy)", "policy version", "accuracy");
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        chart.addSeries("eval_accuracy", points.stream().mapToDouble(p -> p[0]).toArray(),
                points.stream().mapToDouble(p -> p[1]).toArray());
        return chart;
    }

    /** Per step, seconds the learner trained and seconds it waited for its batch, stacked. */
    private static CategoryChart timeSplit(List<JsonNode> rl) {
        List<JsonNode> timed = rl.stream().filter(m -> m.has("step_time_s") && m.has("learner_wait_s")).toList();
        if (timed.isEmpty()) {
            return null;
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Learner time split per step (s)").xAxisTitle("step").yAxisTitle("seconds").build();
        chart.getStyler().setStacked(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisLabelRotation(timed.size() > 20 ? 90 : 0);
        chart.getStyler().setXAxisMaxLabelCount(20);
        List<Long> steps = timed.stream().map(m -> m.path("step").asLong()).toList();
        chart.addSeries("training (step_time_s)", steps,
                timed.stream().map(m -> (Number) m.path("step_time_s").asDouble()).toList());
        chart.addSeries("waiting for a batch (learner_wait_s)", steps,
                timed.stream().map(m -> (Number) m.path("learner_wait_s").asDouble()).toList());
        return chart;
    }

    /** {@code key} against {@code step} over the lines that carry it; no series when none does. */
    private static void addSeries(XYChart chart, String key, List<JsonNode> lines) {
        List<JsonNode> kept = lines.stream().filter(m -> m.has(key)).toList();
        if (kept.isEmpty()) {
            return;
        }
        chart.addSeries(key, kept.stream().mapToDouble(m -> m.path("step").asDouble()).toArray(),
                kept.stream().mapToDouble(m -> m.path(key).asDouble()).toArray());
    }

    private static XYChart xy(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setMarkerSize(4);
        return chart;
    }
}
