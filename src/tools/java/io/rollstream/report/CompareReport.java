package io.rollstream.report;

import static org.apache.commons.text.StringEscapeUtils.escapeHtml4;

import io.rollstream.types.StepMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.XYChart;

/**
 * {@code rollstream report RUN_A RUN_B ...}: several runs on one page — their summaries side by
 * side and, per quantity, one chart with a line per run (the same smoothing, step numbering and
 * rolling rates as a single run's report), so arms of an experiment read at a glance.
 */
public final class CompareReport {

    /** The quantities overlaid, in page order: file name, title, y-axis, quantity. */
    private record Quantity(String file, String title, String yTitle, Metric metric) {}

    private static final List<Quantity> QUANTITIES = List.of(
            new Quantity("reward", "Reward, mean over the batch", "reward", Metric.REWARD_MEAN),
            new Quantity("accuracy", "Held-out accuracy (greedy)", "accuracy", Metric.EVAL_ACCURACY),
            new Quantity("kl", "Reverse KL to the teacher (per token)", "KL", Metric.KL_MEAN),
            new Quantity("completion-length", "Completion length (tokens)", "tokens", Metric.SEQ_LEN_MEAN),
            new Quantity("staleness", "Staleness of trained groups (steps)", "steps", Metric.STALENESS_MEAN),
            new Quantity("entropy", "Entropy of the sampling policy (per token)", "nats", Metric.ENTROPY),
            new Quantity("loss", "Learner: loss", "loss", Metric.LOSS));

    private CompareReport() {}

    /** Writes {@code <out>/compare.html} and its plots under {@code <out>/plots/}. */
    public static RunReport.Written write(List<Path> runDirs, Path out) throws IOException {
        List<RunRecords> runs = new ArrayList<>();
        for (Path dir : runDirs) {
            runs.add(RunRecords.read(dir));
        }
        List<String> names = names(runs);
        List<Path> files = new ArrayList<>();
        List<ReportPage.Plot> plots = RunReport.savePlots(charts(runs, names), out, files);
        Path page = out.resolve("compare.html");
        Files.writeString(page, page(names, runs, plots), StandardCharsets.UTF_8);
        return new RunReport.Written(page, files);
    }

    /** Each run's title; the folder name added where two runs share a job name. */
    static List<String> names(List<RunRecords> runs) {
        List<String> names = new ArrayList<>();
        for (RunRecords run : runs) {
            String name = RunReport.title(run).replaceFirst("^Rollstream: ", "");
            names.add(names.contains(name) ? name + " #" + (names.size() + 1) : name);
        }
        return names;
    }

    static List<ReportCharts.NamedChart> charts(List<RunRecords> runs, List<String> names) {
        List<ReportCharts.NamedChart> charts = new ArrayList<>();
        for (Quantity q : QUANTITIES) {
            XYChart chart = ReportCharts.xy(q.title(), ReportCharts.STEP_AXIS, q.yTitle());
            for (int i = 0; i < runs.size(); i++) {
                ReportCharts.addSmoothed(chart, names.get(i), runs.get(i).rl(), q.metric(), ReportCharts::stepNumber);
            }
            add(charts, q.file(), chart);
        }
        XYChart overTime =
                ReportCharts.xy("Reward against running time", "minutes of the RL job (time_s / 60)", "reward");
        for (int i = 0; i < runs.size(); i++) {
            List<StepMetrics> timed =
                    runs.get(i).rl().stream().filter(Metric.TIME_S::in).toList();
            ReportCharts.addSmoothed(overTime, names.get(i), timed, Metric.REWARD_MEAN, ReportCharts::minutes);
        }
        add(charts, "reward-time", overTime);
        XYChart throughput = ReportCharts.xy(
                "Rollout tokens/s, rolling " + ReportCharts.RATE_WINDOW + "-step window",
                ReportCharts.STEP_AXIS,
                "tokens/s");
        for (int i = 0; i < runs.size(); i++) {
            List<StepMetrics> rl = runs.get(i).rl();
            if (!rl.isEmpty() && rl.stream().allMatch(Metric.ROLLOUT_TOKENS::in)) {
                throughput.addSeries(
                        names.get(i),
                        rl.stream().mapToDouble(ReportCharts::stepNumber).toArray(),
                        Rates.rolling(rl, ReportCharts.RATE_WINDOW, Metric.ROLLOUT_TOKENS::of));
            }
        }
        add(charts, "throughput", throughput);
        return charts;
    }

    private static void add(List<ReportCharts.NamedChart> charts, String name, XYChart chart) {
        if (!chart.getSeriesMap().isEmpty()) {
            charts.add(new ReportCharts.NamedChart(name + ".png", chart.getTitle(), chart));
        }
    }

    private static String page(List<String> names, List<RunRecords> runs, List<ReportPage.Plot> plots) {
        List<Map<String, String>> summaries = new ArrayList<>();
        Set<String> rows = new LinkedHashSet<>();
        for (RunRecords run : runs) {
            Map<String, String> summary = new LinkedHashMap<>(ReportSummary.of(run));
            summary.put("run directory", run.dir().toAbsolutePath().normalize().toString());
            summaries.add(summary);
            rows.addAll(summary.keySet());
        }
        StringBuilder table = new StringBuilder("<table>\n<tr><th></th>");
        names.forEach(n -> table.append("<th>").append(escapeHtml4(n)).append("</th>"));
        table.append("</tr>\n");
        for (String row : rows) {
            table.append("<tr><th>").append(escapeHtml4(row)).append("</th>");
            summaries.forEach(s -> table.append("<td>")
                    .append(escapeHtml4(s.getOrDefault(row, "")))
                    .append("</td>"));
            table.append("</tr>\n");
        }
        table.append("</table>\n");
        return ReportPage.page("Rollstream: " + String.join(" vs ", names), table.toString(), plots, "");
    }
}
