package io.rollstream.experiment;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The oversampling experiment's results: one table row per arm (Markdown and JSON), the learner's
 * progress over its own time per arm, and where each arm's groups went — written into a directory.
 */
public final class OversamplingReport {

    public static final String TABLE_MD = ResultFiles.TABLE_MD;
    public static final String TABLE_JSON = ResultFiles.TABLE_JSON;
    public static final String STEPS_PNG = "learner-steps.png";
    public static final String GROUPS_PNG = "groups.png";

    private OversamplingReport() {}

    /** Writes the table (Markdown and JSON) and the plots into {@code dir}; returns the Markdown table. */
    public static String write(List<OversamplingArm> arms, Path dir) throws IOException {
        String markdown = markdown(arms);
        ResultFiles.write(dir, markdown, json(arms), Map.of(STEPS_PNG, stepsPlot(arms), GROUPS_PNG, groupsPlot(arms)));
        return markdown;
    }

    /** One row per arm. */
    static String markdown(List<OversamplingArm> arms) {
        StringBuilder s = new StringBuilder();
        s.append("| arm | learner wait | wait / step | training / step | steps/min | groups scored | trained"
                + " | filtered (rate) | stale (rate) | generated tokens per trained token | mean staleness"
                + " | held-out accuracy | load avg before → after |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (OversamplingArm a : arms) {
            s.append(String.format(
                    Locale.ROOT,
                    "| %s | %.1f%% | %.3f s | %.3f s | %.1f | %,d | %,d | %,d (%.1f%%) | %,d (%.2f%%) | %.2f | %.2f | %s"
                            + " | %s → %s |%n",
                    a.name(),
                    100 * a.waitFraction(),
                    a.waitingSecondsPerStep(),
                    a.trainingSecondsPerStep(),
                    a.stepsPerMinute(),
                    a.scored(),
                    a.trained(),
                    a.filtered(),
                    100 * a.filterRate(),
                    a.stale(),
                    100 * a.staleRate(),
                    a.tokensPerTrainedToken(),
                    a.stalenessMean(),
                    Double.isNaN(a.heldOutAccuracy())
                            ? "–"
                            : String.format(Locale.ROOT, "%.1f%%", 100 * a.heldOutAccuracy()),
                    a.loadBefore(),
                    a.loadAfter()));
        }
        return s.toString();
    }

    static List<Map<String, Object>> json(List<OversamplingArm> arms) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (OversamplingArm a : arms) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("arm", a.name());
            row.put("steps", a.steps());
            row.put("learner_wait_fraction", a.waitFraction());
            row.put("steps_per_minute", a.stepsPerMinute());
            row.put("training_seconds", a.trainingSeconds());
            row.put("waiting_seconds", a.waitingSeconds());
            row.put("waiting_seconds_per_step", a.waitingSecondsPerStep());
            row.put("training_seconds_per_step", a.trainingSecondsPerStep());
            row.put("groups_scored", a.scored());
            row.put("groups_trained", a.trained());
            row.put("groups_filtered", a.filtered());
            row.put("groups_stale", a.stale());
            row.put("rollout_tokens_per_trained_token", a.tokensPerTrainedToken());
            row.put("staleness_mean", a.stalenessMean());
            row.put("held_out_accuracy", Double.isNaN(a.heldOutAccuracy()) ? null : a.heldOutAccuracy());
            row.put("load_average_before", a.loadBefore());
            row.put("load_average_after", a.loadAfter());
            rows.add(row);
        }
        return rows;
    }

    /** Learner steps done against the learner's own time: the steeper, the less it waited. */
    static XYChart stepsPlot(List<OversamplingArm> arms) {
        XYChart chart = new XYChartBuilder()
                .width(900)
                .height(500)
                .title("Learner progress: steps done over the learner's time (training + waiting)")
                .xAxisTitle("learner time (s)")
                .yAxisTitle("learner steps")
                .build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setMarkerSize(0);
        chart.getStyler().setYAxisDecimalPattern("0");
        chart.getStyler().setYAxisTickMarkSpacingHint(60);
        for (OversamplingArm a : arms) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 0; i < a.learnerTimeline().size(); i++) {
                x.add(a.learnerTimeline().get(i));
                y.add(i + 1.0);
            }
            chart.addSeries(String.format(Locale.ROOT, "%s (waits %.0f%%)", a.name(), 100 * a.waitFraction()), x, y);
        }
        return chart;
    }

    /** Per arm, what became of the groups that reached batch assembly by the last batch: trained, filtered, stale. */
    static CategoryChart groupsPlot(List<OversamplingArm> arms) {
        CategoryChart chart = new CategoryChartBuilder()
                .width(900)
                .height(500)
                .title("Where the generated groups went")
                .xAxisTitle("arm")
                .yAxisTitle("groups")
                .build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setStacked(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        List<String> names = arms.stream().map(OversamplingArm::name).toList();
        chart.addSeries(
                "trained", names, arms.stream().map(a -> (Number) a.trained()).toList());
        chart.addSeries(
                "filtered", names, arms.stream().map(a -> (Number) a.filtered()).toList());
        chart.addSeries(
                "stale", names, arms.stream().map(a -> (Number) a.stale()).toList());
        return chart;
    }
}
