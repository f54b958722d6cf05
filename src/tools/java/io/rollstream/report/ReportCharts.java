package io.rollstream.report;

import io.rollstream.types.StepMetrics;
import io.rollstream.types.StepMetrics.Groups;
import io.rollstream.types.StepMetrics.Totals;
import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts, drawn with XChart from a run's records; each series is named by its
 * {@code metrics.jsonl} key ({@link Metric}). Every RL chart has one x-axis: the
 * step as a person counts it, n = the n-th learner step, the one that publishes policy version n
 * ({@code metrics.jsonl}'s {@code policy_version}; its {@code step} field is n − 1); held-out
 * accuracy at 0 is that of the initial, possibly SFT-warm-started policy. Rates are over a rolling
 * window of steps (tokens over the window's time), never means of per-step rates, and reward is also
 * plotted against the RL job's running time ({@code time_s}). A chart whose keys no line carries
 * (KL outside distillation, SFT loss without a warm start) is left out.
 */
public final class ReportCharts {

    static final int WIDTH = 800;
    static final int HEIGHT = 400;

    /** A chart and the file name it is saved under. */
    public record NamedChart(String file, String title, Chart<?, ?> chart) {}

    private ReportCharts() {}

    public static List<NamedChart> of(RunRecords run) {
        List<NamedChart> charts = new ArrayList<>();
        List<StepMetrics> rl = run.rl();
        addLines(charts, "reward", "Reward, mean over the batch", "reward", rl, Metric.REWARD_MEAN);
        addLines(
                charts,
                "reward-std",
                "Reward, standard deviation within the batch",
                "reward std",
                rl,
                Metric.REWARD_STD);
        XYChart accuracy = accuracy(run);
        if (accuracy != null) {
            charts.add(new NamedChart("accuracy.png", accuracy.getTitle(), accuracy));
        }
        XYChart passAtK = passAtK(run);
        if (passAtK != null) {
            charts.add(new NamedChart("pass-at-k.png", passAtK.getTitle(), passAtK));
        }
        addLines(charts, "kl", "Reverse KL to the teacher (per token)", "KL", rl, Metric.KL_MEAN);
        addLines(
                charts,
                "staleness",
                "Staleness of trained groups (steps)",
                "steps",
                rl,
                Metric.STALENESS_MEAN,
                Metric.STALENESS_MAX);
        addLines(
                charts,
                "completion-length",
                "Completion length (tokens): mean and longest of the batch",
                "tokens",
                rl,
                Metric.SEQ_LEN_MEAN,
                Metric.SEQ_LEN_MAX);
        addLines(
                charts,
                "completions-cut",
                "Completions cut at the length limit (share of the batch)",
                "share",
                rl,
                Metric.COMPLETIONS_CUT_FRACTION);
        // the mean stays near 1 while the largest reaches 5 or more: on one axis the mean is a flat line
        addLines(
                charts,
                "importance-ratio",
                "Importance ratio learner ÷ sampler: mean per token",
                "ratio",
                rl,
                Metric.diagnostic("is_ratio_mean"));
        addLines(
                charts,
                "importance-ratio-max",
                "Importance ratio learner ÷ sampler: largest token's",
                "ratio",
                rl,
                Metric.diagnostic("is_ratio_max"));
        addLines(
                charts,
                "ratio-corrections",
                "Tokens the loss clipped, masked or truncated (share)",
                "share",
                rl,
                Metric.diagnostic("clipped_fraction"),
                Metric.diagnostic("masked_fraction"),
                Metric.diagnostic("truncated_fraction"));
        addLines(
                charts,
                "kl-to-reference",
                "KL to the reference policy (per token)",
                "KL",
                rl,
                Metric.diagnostic("kl_to_reference"));
        XYChart pools = poolShares(rl);
        if (pools != null) {
            charts.add(new NamedChart("pools.png", pools.getTitle(), pools));
        }
        addLines(
                charts,
                "filters",
                "Groups per step: scored, trained and dropped by filter",
                "groups",
                rl,
                Metric.groups("groups_scored", Groups::groupsScored),
                Metric.groups("groups_trained", Groups::groupsTrained),
                Metric.groups("groups_dropped_zero_advantage", Groups::groupsDroppedZeroAdvantage),
                Metric.groups("groups_dropped_difficulty", Groups::groupsDroppedDifficulty),
                Metric.groups("groups_dropped_stale", Groups::groupsDroppedStale),
                Metric.groups("groups_dropped_length", Groups::groupsDroppedLength));
        addRunningTotal(
                charts,
                "efficiency",
                "Generation efficiency: trained ÷ scored groups (whole run so far)",
                "share",
                rl,
                Metric.totals("total_generation_efficiency", Totals::totalGenerationEfficiency));
        addRunningTotal(
                charts,
                "waste",
                "Rollout tokens per trained token (whole run so far)",
                "ratio",
                rl,
                Metric.totals("total_rollout_tokens_per_trained_token", Totals::totalRolloutTokensPerTrainedToken));
        XYChart throughput = throughput(rl);
        if (throughput != null) {
            charts.add(new NamedChart("throughput.png", throughput.getTitle(), throughput));
        }
        XYChart overTime = rewardOverTime(rl);
        if (overTime != null) {
            charts.add(new NamedChart("reward-time.png", overTime.getTitle(), overTime));
        }
        addLines(
                charts,
                "time-split",
                "Learner time per step: training and waiting for a batch",
                "seconds",
                rl,
                Metric.STEP_TIME_S,
                Metric.LEARNER_WAIT_S);
        addLines(charts, "loss", "Learner: loss", "loss", rl, Metric.LOSS);
        addLines(charts, "grad-norm", "Learner: gradient norm (before clipping)", "norm", rl, Metric.GRAD_NORM);
        addLines(charts, "entropy", "Learner: entropy of the sampling policy (per token)", "nats", rl, Metric.ENTROPY);
        addLines(charts, "learning-rate", "Learner: learning rate", "learning rate", rl, Metric.LEARNING_RATE);
        addLines(charts, "sft-loss", "SFT warm start: loss", "SFT step", "loss", run.sft(), Metric.LOSS);
        return charts;
    }

    /** The x-axis title of every RL chart. */
    static final String STEP_AXIS = "step (= policy version it published)";

    /** Steps in the rolling window of the throughput chart. */
    static final int RATE_WINDOW = 20;

    /** {@code m}'s step as a person counts it: the policy version it published (step + 1). */
    static double stepNumber(StepMetrics m) {
        return m.step() + 1;
    }

    /**
     * Rollout and learner tokens per second over the last {@value #RATE_WINDOW} steps at each step
     * (the window's tokens over its time), so a step whose batch was ready at once does not spike
     * the curve.
     */
    private static XYChart throughput(List<StepMetrics> rl) {
        if (rl.isEmpty()) {
            return null;
        }
        XYChart chart = xy("Throughput, rolling " + RATE_WINDOW + "-step window (tokens/s)", STEP_AXIS, "tokens/s");
        double[] x = rl.stream().mapToDouble(ReportCharts::stepNumber).toArray();
        if (rl.stream().allMatch(Metric.ROLLOUT_TOKENS::in)) {
            chart.addSeries("rollout tokens/s", x, Rates.rolling(rl, RATE_WINDOW, Metric.ROLLOUT_TOKENS::of));
        }
        chart.addSeries("learner tokens/s", x, Rates.rolling(rl, RATE_WINDOW, Rates::learnerTokens));
        return chart;
    }

    /**
     * The share of each difficulty pool among the problems the generators hold. The counts grow
     * with every problem ever admitted (a problem stays in its pool), so plotted as counts the
     * curves only climb; as shares they show how the task's difficulty looks to the policy.
     */
    private static XYChart poolShares(List<StepMetrics> rl) {
        List<StepMetrics> counted =
                rl.stream().filter(m -> m.groups() != null && poolTotal(m) > 0).toList();
        if (counted.isEmpty()) {
            return null;
        }
        XYChart chart = xy("Difficulty pools: share of the problems held", STEP_AXIS, "share");
        for (Metric pool : List.of(Metric.POOL_EASY, Metric.POOL_NORMAL, Metric.POOL_HARD)) {
            addSmoothed(chart, pool.key(), counted, ReportCharts::stepNumber, m -> pool.of(m) / poolTotal(m));
        }
        return chart;
    }

    private static double poolTotal(StepMetrics m) {
        return Metric.POOL_EASY.of(m) + Metric.POOL_NORMAL.of(m) + Metric.POOL_HARD.of(m);
    }

    /** Reward against the RL job's running time, in minutes; null for lines without {@code time_s}. */
    private static XYChart rewardOverTime(List<StepMetrics> rl) {
        List<StepMetrics> timed = rl.stream().filter(Metric.TIME_S::in).toList();
        if (timed.isEmpty()) {
            return null;
        }
        XYChart chart = xy("Reward against running time", "minutes of the RL job (time_s / 60)", "reward");
        addSmoothed(chart, Metric.REWARD_MEAN.key(), timed, Metric.REWARD_MEAN, ReportCharts::minutes);
        return chart;
    }

    /** {@code time_s} of {@code m} in minutes. */
    static double minutes(StepMetrics m) {
        return Metric.TIME_S.of(m) / 60;
    }

    /** An RL chart: one series per key present in {@code lines}, against their step; nothing when none is. */
    private static void addLines(
            List<NamedChart> charts,
            String name,
            String title,
            String yTitle,
            List<StepMetrics> lines,
            Metric... metrics) {
        addLines(charts, name, title, STEP_AXIS, yTitle, lines, metrics);
    }

    private static void addLines(
            List<NamedChart> charts,
            String name,
            String title,
            String xTitle,
            String yTitle,
            List<StepMetrics> lines,
            Metric... metrics) {
        List<String> shown = Arrays.stream(metrics)
                .filter(m -> lines.stream().anyMatch(m::in))
                .map(Metric::key)
                .toList();
        // a legend one entry a line below the plot makes the picture taller, not the plot smaller
        XYChart chart =
                xy(title, xTitle, yTitle, legendFitsOneRow(shown) ? HEIGHT : HEIGHT + LEGEND_LINE * shown.size());
        for (Metric metric : metrics) {
            addSmoothed(chart, metric.key(), lines, metric, ReportCharts::stepNumber);
        }
        if (!chart.getSeriesMap().isEmpty()) {
            charts.add(new NamedChart(name + ".png", title, chart));
        }
    }

    /**
     * A whole-run total against the step: one line through its values. It is an average over the
     * run already, so it is not smoothed (a moving average of it would only lag behind it).
     */
    private static void addRunningTotal(
            List<NamedChart> charts, String name, String title, String yTitle, List<StepMetrics> lines, Metric metric) {
        List<StepMetrics> kept = lines.stream().filter(metric::in).toList();
        if (kept.isEmpty()) {
            return;
        }
        XYChart chart = xy(title, STEP_AXIS, yTitle);
        XYSeries s = chart.addSeries(
                metric.key(),
                kept.stream().mapToDouble(ReportCharts::stepNumber).toArray(),
                kept.stream().mapToDouble(metric::of).toArray());
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(PALETTE[0]);
        s.setLineWidth(2.5f);
        charts.add(new NamedChart(name + ".png", title, chart));
    }

    /** The last SFT evaluation at version 0, then every RL evaluation at the version it measured. */
    private static XYChart accuracy(RunRecords run) {
        List<double[]> points = new ArrayList<>();
        run.sft().stream()
                .filter(StepMetrics::evaluated)
                .reduce((a, b) -> b)
                .ifPresent(m -> points.add(new double[] {0, m.evalAccuracy()}));
        for (StepMetrics m : run.rl()) {
            if (m.evaluated()) {
                points.add(new double[] {stepNumber(m), m.evalAccuracy()});
            }
        }
        if (points.isEmpty()) {
            return null;
        }
        XYChart chart = xy("Held-out accuracy (greedy; 0 = before RL)", STEP_AXIS, "accuracy");
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        chart.addSeries(
                "eval_accuracy",
                points.stream().mapToDouble(p -> p[0]).toArray(),
                points.stream().mapToDouble(p -> p[1]).toArray());
        return chart;
    }

    /**
     * Held-out pass@k of the sampled evaluations ({@code eval.samples} > 0), one line per k, at the
     * versions they measured (the last SFT evaluation at 0); null when no evaluation sampled.
     */
    private static XYChart passAtK(RunRecords run) {
        List<StepMetrics> evaluated = new ArrayList<>();
        run.sft().stream()
                .filter(m -> !m.evalPassAt().isEmpty())
                .reduce((a, b) -> b)
                .ifPresent(evaluated::add);
        run.rl().stream().filter(m -> !m.evalPassAt().isEmpty()).forEach(evaluated::add);
        if (evaluated.isEmpty()) {
            return null;
        }
        XYChart chart = xy("Held-out pass@k of sampled answers (0 = before RL)", STEP_AXIS, "pass@k");
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        SortedSet<Integer> ks = new TreeSet<>();
        evaluated.forEach(m -> ks.addAll(m.evalPassAt().keySet()));
        int series = 0;
        for (int k : ks) {
            List<StepMetrics> with =
                    evaluated.stream().filter(m -> m.evalPassAt(k) != null).toList();
            XYSeries s = chart.addSeries(
                    "pass@" + k,
                    with.stream()
                            .mapToDouble(m -> m.isSft() ? 0 : stepNumber(m))
                            .toArray(),
                    with.stream().mapToDouble(m -> m.evalPassAt(k)).toArray());
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineColor(PALETTE[series % PALETTE.length]);
            s.setMarkerColor(PALETTE[series++ % PALETTE.length]);
        }
        return chart;
    }

    /**
     * {@code metric} of the lines that carry it as the series {@code name}, as a person reads a noisy
     * curve: every value as a faint point, and over them a smoothed line (a centred moving average,
     * {@link #smoothed}) in the same colour; no series when no line carries it.
     */
    static void addSmoothed(
            XYChart chart, String name, List<StepMetrics> lines, Metric metric, ToDoubleFunction<StepMetrics> xOf) {
        addSmoothed(chart, name, lines.stream().filter(metric::in).toList(), xOf, metric::of);
    }

    /** {@code yOf} of every line as the series {@code name}: faint points under a smoothed line. */
    static void addSmoothed(
            XYChart chart,
            String name,
            List<StepMetrics> kept,
            ToDoubleFunction<StepMetrics> xOf,
            ToDoubleFunction<StepMetrics> yOf) {
        if (kept.isEmpty()) {
            return;
        }
        double[] x = kept.stream().mapToDouble(xOf).toArray();
        double[] y = kept.stream().mapToDouble(yOf).toArray();
        Color color = PALETTE[chart.getSeriesMap().size() / 2 % PALETTE.length];
        XYSeries raw = chart.addSeries(name + " (each step)", x, y);
        raw.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        raw.setMarker(SeriesMarkers.CIRCLE);
        raw.setMarkerColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 70));
        raw.setShowInLegend(false);
        XYSeries smooth = chart.addSeries(name, x, smoothed(y));
        smooth.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        smooth.setMarker(SeriesMarkers.NONE);
        smooth.setLineColor(color);
        smooth.setLineWidth(2.5f);
    }

    /** Series colours, distinguishable and readable over white. */
    private static final Color[] PALETTE = {
        new Color(31, 119, 180),
        new Color(214, 39, 40),
        new Color(44, 160, 44),
        new Color(255, 127, 14),
        new Color(148, 103, 189),
        new Color(140, 86, 75)
    };

    /**
     * The centred moving average of {@code y}: each point the mean of the points within {@code h}
     * of it (fewer at the ends, where the window is cut), h about a fortieth of the points and at
     * most {@value #MAX_HALF_WINDOW}; fewer than 10 points are left as they are. Centred, it follows
     * a trend without lagging behind it (a trailing or exponential average, as TensorBoard draws,
     * runs above a falling loss for a whole window).
     */
    static double[] smoothed(double[] y) {
        int h = y.length < 10 ? 0 : Math.min(MAX_HALF_WINDOW, Math.max(1, y.length / 40));
        double[] prefix = new double[y.length + 1];
        for (int i = 0; i < y.length; i++) {
            prefix[i + 1] = prefix[i] + y[i];
        }
        double[] out = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            int from = Math.max(0, i - h);
            int to = Math.min(y.length, i + h + 1);
            out[i] = (prefix[to] - prefix[from]) / (to - from);
        }
        return out;
    }

    /** Most points either side of a point that its smoothed value averages over. */
    static final int MAX_HALF_WINDOW = 25;

    /**
     * An empty chart in the report's style. Its x axis starts at 0 (every x is a step or a time), so
     * its ticks fall on round numbers (0, 200, 400, ... rather than 1, 76, 151, ...). Fonts are sized
     * for the page, which shows a chart at three quarters of its width or more.
     */
    static XYChart xy(String title, String xTitle, String yTitle) {
        return xy(title, xTitle, yTitle, HEIGHT);
    }

    private static XYChart xy(String title, String xTitle, String yTitle, int height) {
        XYChart chart = new XYChartBuilder()
                .width(WIDTH)
                .height(height)
                .title(title)
                .xAxisTitle(xTitle)
                .yAxisTitle(yTitle)
                .build();
        XYStyler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setLegendBorderColor(Color.WHITE);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotGridLinesColor(new Color(225, 225, 225));
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 19));
        styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 16));
        styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 16));
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, LEGEND_FONT_SIZE));
        styler.setMarkerSize(5);
        styler.setXAxisMin(0.0);
        styler.setXAxisDecimalPattern("#,###.##");
        styler.setYAxisDecimalPattern("#,###.###");
        return chart;
    }

    private static final int LEGEND_FONT_SIZE = 15;
    /** Height of a legend entry in a legend one entry a line. */
    private static final int LEGEND_LINE = 24;

    /** Whether a legend of these series names fits in one row below the plot (estimated generously). */
    static boolean legendFitsOneRow(List<String> names) {
        int width = 0;
        for (String name : names) {
            width += name.length() * LEGEND_FONT_SIZE * 6 / 10 + 50; // glyphs, marker, gap
        }
        return width <= WIDTH - 40;
    }

    /**
     * What can only be settled once a chart has all its series. Its legend goes below the plot, in
     * one row or, when that would not fit the width, one entry a line; never over the data, never
     * cut. The x ticks fall on round numbers: XChart puts them on data values when the x values are
     * equally spaced (1, 76, 151, ... for steps 1 to 1,187), so an invisible point at x = 0.5, off
     * the steps' grid, breaks that spacing. A y axis over values that never change (a constant learning
     * rate) spans 0 to twice the value, so the line is not drawn through rounding noise; and values
     * below 0.01 (a learning rate) are labelled in scientific notation, not as 0.
     */
    static void finish(XYChart chart) {
        XYStyler styler = chart.getStyler();
        List<String> legend = chart.getSeriesMap().values().stream()
                .filter(XYSeries::isShowInLegend)
                .map(XYSeries::getName)
                .toList();
        if (!legendFitsOneRow(legend)) {
            styler.setLegendLayout(Styler.LegendLayout.Vertical);
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (XYSeries s : chart.getSeriesMap().values()) {
            for (double y : s.getYData()) {
                if (Double.isFinite(y)) {
                    min = Math.min(min, y);
                    max = Math.max(max, y);
                }
            }
        }
        if (min > max) {
            return; // no finite value
        }
        XYSeries offGrid = chart.addSeries(" off the grid", new double[] {0.5}, new double[] {min});
        offGrid.setShowInLegend(false);
        offGrid.setMarker(SeriesMarkers.NONE);
        offGrid.setLineStyle(SeriesLines.NONE);
        double scale = Math.max(Math.abs(min), Math.abs(max));
        if (styler.getYAxisMin() == null && styler.getYAxisMax() == null && max - min <= 1e-9 * scale) {
            styler.setYAxisMin(Math.min(0, 2 * min));
            styler.setYAxisMax(scale == 0 ? 1 : Math.max(0, 2 * max));
        }
        if (scale > 0 && scale < 0.01) {
            styler.setYAxisDecimalPattern("0.##E0");
        }
    }
}
