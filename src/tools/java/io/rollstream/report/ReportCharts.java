package io.rollstream.report;

import io.rollstream.types.StepMetrics;
import io.rollstream.types.StepMetrics.Groups;
import io.rollstream.types.StepMetrics.Optimization;
import io.rollstream.types.StepMetrics.Rewards;
import io.rollstream.types.StepMetrics.Samples;
import io.rollstream.types.StepMetrics.Throughput;
import io.rollstream.types.StepMetrics.Totals;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The report's charts, drawn with XChart from a run's records. RL charts plot {@code metrics.jsonl}
 * values (each series named by its key) against the learner step; held-out accuracy is plotted against the policy version it
 * measured (0 = the initial, possibly SFT-warm-started policy; n = after RL step n − 1). A chart
 * whose keys no line carries (KL outside distillation, SFT loss without a warm start) is left out.
 */
public final class ReportCharts {

    static final int WIDTH = 800;
    static final int HEIGHT = 400;

    /** A chart and the file name it is saved under. */
    public record NamedChart(String file, String title, Chart<?, ?> chart) {}

    private ReportCharts() {}

    /** A series: a value of the lines, named by its {@code metrics.jsonl} key; null where a line has none. */
    private record Series(String key, Function<StepMetrics, Double> value) {

        /** The value {@code field} of the part {@code part}, where a line has it. */
        static <P> Series of(String key, Function<StepMetrics, P> part, Function<P, ? extends Number> field) {
            return new Series(key, m -> {
                double v = m.value(part, field, Double.NaN);
                return Double.isNaN(v) ? null : v;
            });
        }
    }

    public static List<NamedChart> of(RunRecords run) {
        List<NamedChart> charts = new ArrayList<>();
        List<StepMetrics> rl = run.rl();
        addLines(charts, "reward", "Reward (training batches)", "reward", rl,
                Series.of("reward_mean", StepMetrics::rewards, Rewards::rewardMean),
                Series.of("reward_std", StepMetrics::rewards, Rewards::rewardStd));
        XYChart accuracy = accuracy(run);
        if (accuracy != null) {
            charts.add(new NamedChart("accuracy.png", accuracy.getTitle(), accuracy));
        }
        addLines(charts, "kl", "Reverse KL to the teacher (per token)", "KL", rl,
                Series.of("kl_mean", StepMetrics::rewards, Rewards::klMean));
        addLines(charts, "staleness", "Staleness of trained groups (steps)", "steps", rl,
                Series.of("staleness_mean", StepMetrics::samples, Samples::stalenessMean),
                Series.of("staleness_max", StepMetrics::samples, Samples::stalenessMax));
        addLines(charts, "pools", "Difficulty pools (problems)", "problems", rl,
                Series.of("pool_easy", StepMetrics::groups, Groups::poolEasy),
                Series.of("pool_normal", StepMetrics::groups, Groups::poolNormal),
                Series.of("pool_hard", StepMetrics::groups, Groups::poolHard));
        addLines(charts, "filters", "Groups per step: scored, trained and dropped by filter", "groups", rl,
                Series.of("groups_scored", StepMetrics::groups, Groups::groupsScored),
                Series.of("groups_trained", StepMetrics::groups, Groups::groupsTrained),
                Series.of("groups_dropped_zero_advantage", StepMetrics::groups, Groups::groupsDroppedZeroAdvantage),
                Series.of("groups_dropped_difficulty", StepMetrics::groups, Groups::groupsDroppedDifficulty),
                Series.of("groups_dropped_stale", StepMetrics::groups, Groups::groupsDroppedStale),
                Series.of("groups_dropped_length", StepMetrics::groups, Groups::groupsDroppedLength));
        addLines(charts, "waste", "Waste of generation (whole run so far)", "ratio", rl,
                Series.of("total_generation_efficiency", StepMetrics::totals, Totals::totalGenerationEfficiency),
                Series.of("total_rollout_tokens_per_trained_token", StepMetrics::totals,
                        Totals::totalRolloutTokensPerTrainedToken));
        addLines(charts, "throughput", "Throughput (tokens/s)", "tokens/s", rl,
                Series.of("rollout_tokens_per_s", StepMetrics::throughput, Throughput::rolloutTokensPerS),
                Series.of("learner_tokens_per_s", StepMetrics::throughput, Throughput::learnerTokensPerS));
        CategoryChart split = timeSplit(rl);
        if (split != null) {
            charts.add(new NamedChart("time-split.png", split.getTitle(), split));
        }
        Series loss = Series.of("loss", StepMetrics::optimization, Optimization::loss);
        addLines(charts, "learner", "Learner: loss, gradient norm, entropy", "value", rl, loss,
                Series.of("grad_norm", StepMetrics::optimization, Optimization::gradNorm),
                Series.of("entropy", StepMetrics::optimization, Optimization::entropy));
        addLines(charts, "sft-loss", "SFT warm start: loss", "loss", run.sft(), loss);
        return charts;
    }

    /** One series per value present in {@code lines}, against their {@code step}; nothing when none is. */
    private static void addLines(List<NamedChart> charts, String name, String title, String yTitle,
            List<StepMetrics> lines, Series... series) {
        XYChart chart = xy(title, "step", yTitle);
        for (Series s : series) {
            addSeries(chart, s, lines);
        }
        if (!chart.getSeriesMap().isEmpty()) {
            charts.add(new NamedChart(name + ".png", title, chart));
        }
    }

    /** The last SFT evaluation at version 0, then every RL evaluation at the version it measured. */
    private static XYChart accuracy(RunRecords run) {
        List<double[]> points = new ArrayList<>();
        run.sft().stream().filter(StepMetrics::evaluated).reduce((a, b) -> b)
                .ifPresent(m -> points.add(new double[] {0, m.evalAccuracy()}));
        for (StepMetrics m : run.rl()) {
            if (m.evaluated()) {
                points.add(new double[] {m.step() + 1, m.evalAccuracy()});
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
    private static CategoryChart timeSplit(List<StepMetrics> rl) {
        List<StepMetrics> timed = rl.stream().filter(m -> m.updates() != null && m.throughput() != null).toList();
        if (timed.isEmpty()) {
            return null;
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Learner time split per step (s)").xAxisTitle("step").yAxisTitle("seconds").build();
        chart.getStyler().setStacked(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisLabelRotation(timed.size() > 20 ? 90 : 0);
        chart.getStyler().setXAxisMaxLabelCount(20);
        List<Long> steps = timed.stream().map(StepMetrics::step).toList();
        chart.addSeries("training (step_time_s)", steps,
                timed.stream().map(m -> (Number) m.updates().stepTimeS()).toList());
        chart.addSeries("waiting for a batch (learner_wait_s)", steps,
                timed.stream().map(m -> (Number) m.throughput().learnerWaitS()).toList());
        return chart;
    }

    /** {@code series} against {@code step} over the lines that carry it; no series when none does. */
    private static void addSeries(XYChart chart, Series series, List<StepMetrics> lines) {
        List<StepMetrics> kept = lines.stream().filter(m -> series.value().apply(m) != null).toList();
        if (kept.isEmpty()) {
            return;
        }
        chart.addSeries(series.key(), kept.stream().mapToDouble(StepMetrics::step).toArray(),
                kept.stream().mapToDouble(m -> series.value().apply(m)).toArray());
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
