package io.rollstream.experiment;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The variance experiment's results: the seed's table (KL at start and end, KL reduction, σ of the
 * per-epoch KL, total sequences) for each number of rollouts per prompt, as Markdown and JSON, and
 * a plot of the per-epoch KL (PNG, drawn with XChart).
 */
public final class DistillVarianceReport {

    public static final String TABLE_MD = ResultFiles.TABLE_MD;
    public static final String TABLE_JSON = ResultFiles.TABLE_JSON;
    public static final String PLOT_PNG = "kl-per-epoch.png";

    private DistillVarianceReport() {}

    /** Writes the table (Markdown and JSON) and the plot into {@code dir}; returns the Markdown. */
    public static String write(List<DistillationArm> arms, Path dir) throws IOException {
        String markdown = markdown(arms);
        ResultFiles.write(dir, markdown, json(arms), Map.of(PLOT_PNG, plot(arms)));
        return markdown;
    }

    /** One row per arm; σ is also shown relative to the first arm (the 1-rollout baseline). */
    static String markdown(List<DistillationArm> arms) {
        StringBuilder s = new StringBuilder();
        s.append("| rollouts per prompt | total sequences | optimizer steps | KL start | KL end | KL reduction"
                + " | σ of per-epoch KL | σ vs first row | σ of epoch-to-epoch change | held-out accuracy |\n");
        s.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        double baseline = arms.get(0).klEpochStd();
        for (DistillationArm a : arms) {
            s.append(String.format(Locale.ROOT, "| %d | %,d | %d | %.4f | %.4f | %.1f%% | %.4f | %+.0f%% | %.4f | %s |%n",
                    a.rolloutsPerPrompt(), a.sequences(), a.optimizerSteps(), a.klStart(), a.klEnd(),
                    a.klReductionPercent(), a.klEpochStd(), 100 * (a.klEpochStd() / baseline - 1),
                    a.klStepChangeStd(),
                    Double.isNaN(a.heldOutAccuracy()) ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * a.heldOutAccuracy())));
        }
        return s.toString();
    }

    static List<Map<String, Object>> json(List<DistillationArm> arms) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (DistillationArm a : arms) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("rollouts_per_prompt", a.rolloutsPerPrompt());
            row.put("total_sequences", a.sequences());
            row.put("optimizer_steps", a.optimizerSteps());
            row.put("kl_start", a.klStart());
            row.put("kl_end", a.klEnd());
            row.put("kl_reduction_percent", a.klReductionPercent());
            row.put("kl_epoch_std", a.klEpochStd());
            row.put("kl_epoch_std_logged_by_learner", a.loggedEpochStd());
            row.put("kl_step_change_std", a.klStepChangeStd());
            row.put("held_out_accuracy", Double.isNaN(a.heldOutAccuracy()) ? null : a.heldOutAccuracy());
            row.put("kl_per_epoch", a.epochKl().values());
            rows.add(row);
        }
        return rows;
    }

    static XYChart plot(List<DistillationArm> arms) {
        XYChart chart = new XYChartBuilder().width(900).height(540)
                .title("On-policy distillation: reverse KL to the teacher per epoch")
                .xAxisTitle("epoch (10 prompts each)").yAxisTitle("mean per-token reverse KL").build();
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (DistillationArm a : arms) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            a.epochKl().forEach((epoch, kl) -> {
                x.add((double) epoch);
                y.add(kl);
            });
            chart.addSeries(String.format(Locale.ROOT, "%d rollout%s per prompt (σ %.4f)", a.rolloutsPerPrompt(),
                    a.rolloutsPerPrompt() == 1 ? "" : "s", a.klEpochStd()), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }
}
