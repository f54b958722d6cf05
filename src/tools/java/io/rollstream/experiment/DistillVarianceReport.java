package io.rollstream.experiment;

import io.rollstream.experiment.DistillationRow.Spread;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The variance experiment's results: per number of rollouts per prompt, over the sampling seeds,
 * mean ± standard deviation of the KL at start and end, the KL reduction (first to last epoch, and
 * along the fitted trend), and three σ of the
 * per-epoch KL — the plain σ (trend included), the σ of the residuals around a fitted
 * exponential trend, and the σ of the epoch-to-epoch change — with Welch's t of each row's
 * residual σ against the first row; as Markdown and JSON (every run's per-epoch KL included), and a
 * plot of the mean per-epoch KL with ±1 std error bars (PNG, drawn with XChart).
 */
public final class DistillVarianceReport {

    public static final String TABLE_MD = ResultFiles.TABLE_MD;
    public static final String TABLE_JSON = ResultFiles.TABLE_JSON;
    public static final String PLOT_PNG = "kl-per-epoch.png";

    private DistillVarianceReport() {}

    /** Writes the table (Markdown and JSON) and the plot into {@code dir}; returns the Markdown. */
    public static String write(List<DistillationRow> rows, Path dir) throws IOException {
        String markdown = markdown(rows);
        ResultFiles.write(dir, markdown, json(rows), Map.of(PLOT_PNG, plot(rows)));
        return markdown;
    }

    /** One row per number of rollouts; every figure is mean ± std over the row's seeds. */
    static String markdown(List<DistillationRow> rows) {
        StringBuilder s = new StringBuilder();
        s.append("| rollouts per prompt | seeds | total sequences | optimizer steps | KL start | KL end | KL reduction"
                + " | KL reduction along the trend | σ of per-epoch KL (seed's) | σ of residuals around the trend | σ of epoch-to-epoch change"
                + " | residual σ vs first row (Welch t) | held-out accuracy |\n");
        s.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        Spread baseline = rows.get(0).klResidualStd();
        for (DistillationRow r : rows) {
            Spread residual = r.klResidualStd();
            String versus = r == rows.get(0)
                    ? "—"
                    : String.format(
                            Locale.ROOT,
                            "%+.0f%% (t = %.1f)",
                            100 * (residual.mean() / baseline.mean() - 1),
                            residual.t(baseline));
            s.append(String.format(
                    Locale.ROOT,
                    "| %d | %d | %,d | %d | %s | %s | %s%% | %s%% | %s | %s | %s | %s | %s%% |%n",
                    r.rolloutsPerPrompt(),
                    r.runs().size(),
                    r.sequences(),
                    r.optimizerSteps(),
                    show(r.klStart(), 3),
                    show(r.klEnd(), 3),
                    show(r.klReductionPercent(), 1),
                    show(r.klTrendReductionPercent(), 1),
                    show(r.klEpochStd(), 3),
                    show(residual, 3),
                    show(r.klStepChangeStd(), 3),
                    versus,
                    show(percent(r.heldOutAccuracy()), 1)));
        }
        return s.toString();
    }

    private static Spread percent(Spread fraction) {
        return new Spread(100 * fraction.mean(), 100 * fraction.std(), fraction.n());
    }

    private static String show(Spread v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f ± %." + decimals + "f", v.mean(), v.std());
    }

    static List<Map<String, Object>> json(List<DistillationRow> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        Spread baseline = rows.get(0).klResidualStd();
        for (DistillationRow r : rows) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("rollouts_per_prompt", r.rolloutsPerPrompt());
            row.put("seeds", r.runs().size());
            row.put("total_sequences", r.sequences());
            row.put("optimizer_steps", r.optimizerSteps());
            row.put("kl_start", spread(r.klStart()));
            row.put("kl_end", spread(r.klEnd()));
            row.put("kl_reduction_percent", spread(r.klReductionPercent()));
            row.put("kl_trend_reduction_percent", spread(r.klTrendReductionPercent()));
            row.put("kl_epoch_std", spread(r.klEpochStd()));
            row.put("kl_residual_std", spread(r.klResidualStd()));
            row.put("kl_step_change_std", spread(r.klStepChangeStd()));
            row.put("kl_residual_std_welch_t_vs_first_row", r.klResidualStd().t(baseline));
            row.put(
                    "kl_step_change_std_welch_t_vs_first_row",
                    r.klStepChangeStd().t(rows.get(0).klStepChangeStd()));
            row.put("held_out_accuracy", spread(r.heldOutAccuracy()));
            List<Map<String, Object>> runs = new ArrayList<>();
            for (DistillationArm a : r.runs()) {
                Map<String, Object> run = new LinkedHashMap<>();
                run.put("seed", a.seed());
                run.put("kl_start", a.klStart());
                run.put("kl_end", a.klEnd());
                run.put("kl_reduction_percent", a.klReductionPercent());
                run.put("kl_trend_reduction_percent", a.klTrendReductionPercent());
                run.put("kl_epoch_std", a.klEpochStd());
                run.put("kl_residual_std", a.klResidualStd());
                run.put("kl_step_change_std", a.klStepChangeStd());
                run.put("held_out_accuracy", Double.isNaN(a.heldOutAccuracy()) ? null : a.heldOutAccuracy());
                run.put("kl_per_epoch", a.epochKl().values());
                runs.add(run);
            }
            row.put("runs", runs);
            out.add(row);
        }
        return out;
    }

    private static Map<String, Object> spread(Spread v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", Double.isNaN(v.mean()) ? null : v.mean());
        m.put("std", Double.isNaN(v.std()) ? null : v.std());
        return m;
    }

    static XYChart plot(List<DistillationRow> rows) {
        XYChart chart = new XYChartBuilder()
                .width(900)
                .height(540)
                .title("On-policy distillation: reverse KL to the teacher per epoch (mean ± std over seeds)")
                .xAxisTitle("epoch (10 prompts each)")
                .yAxisTitle("mean per-token reverse KL")
                .build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        for (DistillationRow r : rows) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            List<Double> err = new ArrayList<>();
            r.klPerEpoch().forEach((epoch, kl) -> {
                x.add((double) epoch + 0.08 * rows.indexOf(r)); // spread the error bars apart a little
                y.add(kl.mean());
                err.add(kl.std());
            });
            chart.addSeries(
                            String.format(
                                    Locale.ROOT,
                                    "%d rollout%s per prompt (%d seeds)",
                                    r.rolloutsPerPrompt(),
                                    r.rolloutsPerPrompt() == 1 ? "" : "s",
                                    r.runs().size()),
                            x,
                            y,
                            err)
                    .setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }
}
