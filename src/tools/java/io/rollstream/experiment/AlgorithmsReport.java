package io.rollstream.experiment;

import io.rollstream.bench.MarkedBlock;
import io.rollstream.common.Json;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The algorithms experiment's results: per arm, held-out accuracy at the end and along the run,
 * wall time, and the loss's clipped / masked fractions and importance ratios, as Markdown and JSON,
 * plus a plot of accuracy over learner steps (PNG, drawn with XChart). {@link #publish} puts the
 * Markdown into a document between two marker lines, keeping the text around them.
 */
public final class AlgorithmsReport {

    public static final String TABLE_MD = "algorithms.md";
    public static final String TABLE_JSON = "algorithms.json";
    public static final String PLOT_PNG = "accuracy.png";
    public static final String TIME_PLOT_PNG = "accuracy-time.png";
    /** The accuracy whose time to reach the table reports (the quickstart's target). */
    static final double TARGET = 0.90;

    public static final String BEGIN =
            "<!-- experiment algorithms: begin (written by jobs/rollstream experiment algorithms) -->";
    public static final String END = "<!-- experiment algorithms: end -->";

    private AlgorithmsReport() {}

    /**
     * The run's facts the table is read against.
     *
     * @param command the command line that produced it
     * @param loadBefore {@code /proc/loadavg} when the experiment (its last invocation) started
     * @param loadAfter {@code /proc/loadavg} when it ended
     */
    public record Context(String command, String loadBefore, String loadAfter) {}

    /** Writes the table (Markdown and JSON) and the plot into {@code dir}; returns the Markdown. */
    public static String write(List<AlgorithmArm> arms, Context context, Path dir) throws IOException {
        Files.createDirectories(dir);
        String markdown = markdown(arms, context);
        Files.writeString(dir.resolve(TABLE_MD), markdown);
        Files.writeString(
                dir.resolve(TABLE_JSON),
                Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json(arms, context)));
        BitmapEncoder.saveBitmap(plot(arms, false), dir.resolve(PLOT_PNG).toString(), BitmapEncoder.BitmapFormat.PNG);
        BitmapEncoder.saveBitmap(
                plot(arms, true), dir.resolve(TIME_PLOT_PNG).toString(), BitmapEncoder.BitmapFormat.PNG);
        return markdown;
    }

    /**
     * Writes {@code markdown} between the markers of {@code document} (created with just the
     * markers when missing), and the plots and JSON beside it as {@code <name>.png},
     * {@code <name>-time.png} and {@code <name>.json}.
     */
    public static void publish(Path reportDir, Path document) throws IOException {
        String markdown = Files.readString(reportDir.resolve(TABLE_MD), StandardCharsets.UTF_8);
        String stem = document.getFileName().toString().replaceFirst("\\.md$", "");
        Path parent = document.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.copy(reportDir.resolve(PLOT_PNG), parent.resolve(stem + ".png"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(
                reportDir.resolve(TIME_PLOT_PNG),
                parent.resolve(stem + "-time.png"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.copy(reportDir.resolve(TABLE_JSON), parent.resolve(stem + ".json"), StandardCopyOption.REPLACE_EXISTING);
        String text = Files.exists(document)
                ? Files.readString(document, StandardCharsets.UTF_8)
                : "# Algorithms\n\n" + BEGIN + "\n" + END + "\n";
        String block = markdown.replace("](" + PLOT_PNG + ")", "](" + stem + ".png)")
                .replace("](" + TIME_PLOT_PNG + ")", "](" + stem + "-time.png)");
        Files.writeString(document, MarkedBlock.replace(text, BEGIN, END, block.strip()), StandardCharsets.UTF_8);
    }

    static String markdown(List<AlgorithmArm> arms, Context context) {
        long steps = arms.stream().mapToLong(AlgorithmArm::steps).max().orElse(0);
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "Command: `%s`. Every arm runs %d learner steps with the same seed, from the"
                        + " same SFT checkpoint unless it changes the model or its SFT (then from its own, trained with the"
                        + " same seed; \"SFT start\" is its held-out accuracy). \"RL time\" is the learner's time from the"
                        + " job's start to its last step (evaluations included), \"to %.0f%%\" the RL time until the first"
                        + " evaluation at or above %.0f%%. Load average (1 / 5 / 15 min) when the last invocation started: %s;"
                        + " ended: %s; per arm in the last column (start / end).%n%n",
                context.command(),
                steps,
                100 * TARGET,
                100 * TARGET,
                context.loadBefore(),
                context.loadAfter()));
        s.append(String.format(
                Locale.ROOT,
                "| arm | what it changes | SFT start | accuracy at the end | best | at step %d"
                        + " | at step %d | at step %d | RL time | to %.0f%% | wall time | clipped | masked | IS ratio mean / max"
                        + " | entropy (end) | reward (end) | load |%n",
                steps / 4,
                steps / 2,
                3 * steps / 4,
                100 * TARGET));
        s.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (AlgorithmArm a : arms) {
            double rlEnd = a.rlSeconds().values().stream()
                    .mapToDouble(Double::doubleValue)
                    .max()
                    .orElse(Double.NaN);
            double toTarget = a.secondsTo(TARGET);
            s.append(String.format(
                    Locale.ROOT,
                    "| `%s` | %s | %s | **%s** | %s | %s | %s | %s | %.0f s | %s | %.0f s | %.2f%% | %.2f%% | %.3f / %.2f"
                            + " | %.3f | %.3f | %s |%n",
                    a.name(),
                    a.description(),
                    pct(a.sftAccuracy()),
                    pct(a.finalAccuracy()),
                    pct(a.bestAccuracy()),
                    pct(a.accuracyAt(steps / 4)),
                    pct(a.accuracyAt(steps / 2)),
                    pct(a.accuracyAt(3 * steps / 4)),
                    rlEnd,
                    Double.isNaN(toTarget) ? "–" : String.format(Locale.ROOT, "%.0f s", toTarget),
                    a.wallSeconds(),
                    100 * a.clippedFraction(),
                    100 * a.maskedFraction(),
                    a.ratioMean(),
                    a.ratioMax(),
                    a.entropyEnd(),
                    a.rewardEnd(),
                    a.load()));
        }
        s.append("\n![held-out accuracy over learner steps](").append(PLOT_PNG).append(")\n");
        s.append("![held-out accuracy over RL time](").append(TIME_PLOT_PNG).append(")\n\n");
        s.append("Arms and their overrides:\n\n");
        for (AlgorithmArm a : arms) {
            s.append("- `")
                    .append(a.name())
                    .append("`: ")
                    .append(a.overrides().isEmpty() ? "(none)" : "`" + String.join("` `", a.overrides()) + "`")
                    .append('\n');
        }
        return s.toString();
    }

    private static String pct(double fraction) {
        return Double.isNaN(fraction) ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    static Map<String, Object> json(List<AlgorithmArm> arms, Context context) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("command", context.command());
        out.put("load_before", context.loadBefore());
        out.put("load_after", context.loadAfter());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (AlgorithmArm a : arms) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("arm", a.name());
            row.put("description", a.description());
            row.put("overrides", a.overrides());
            row.put("steps", a.steps());
            row.put("sft_accuracy", nullIfNaN(a.sftAccuracy()));
            row.put("load", a.load());
            row.put("final_accuracy", nullIfNaN(a.finalAccuracy()));
            row.put("best_accuracy", nullIfNaN(a.bestAccuracy()));
            row.put("wall_seconds", a.wallSeconds());
            row.put("clipped_fraction_mean", a.clippedFraction());
            row.put("masked_fraction_mean", a.maskedFraction());
            row.put("is_ratio_mean", a.ratioMean());
            row.put("is_ratio_max", a.ratioMax());
            row.put("entropy_end", a.entropyEnd());
            row.put("reward_end", a.rewardEnd());
            row.put("accuracy_by_step", a.accuracy());
            row.put("rl_seconds_by_step", a.rlSeconds());
            rows.add(row);
        }
        out.put("arms", rows);
        return out;
    }

    private static Double nullIfNaN(double v) {
        return Double.isNaN(v) ? null : v;
    }

    /** Held-out accuracy of every arm over learner steps, or over RL seconds ({@code overTime}). */
    static XYChart plot(List<AlgorithmArm> arms, boolean overTime) {
        XYChart chart = new XYChartBuilder()
                .width(900)
                .height(540)
                .title("Quickstart task: held-out greedy accuracy by loss, aggregation, advantage and model")
                .xAxisTitle(overTime ? "seconds of RL (learner time, evaluations included)" : "learner steps")
                .yAxisTitle("held-out accuracy")
                .build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        for (AlgorithmArm a : arms) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            if (!Double.isNaN(a.sftAccuracy())) {
                x.add(0.0);
                y.add(a.sftAccuracy());
            }
            a.accuracy().forEach((step, acc) -> {
                x.add(overTime ? a.rlSeconds().getOrDefault(step, Double.NaN) : (double) step);
                y.add(acc);
            });
            chart.addSeries(String.format(Locale.ROOT, "%s (%.1f%%)", a.name(), 100 * a.finalAccuracy()), x, y)
                    .setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }
}
