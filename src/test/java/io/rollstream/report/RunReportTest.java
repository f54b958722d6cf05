package io.rollstream.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/**
 * The run report from a recorded run directory: a trimmed copy of a real {@code configs/ci/smoke.yaml}
 * run with {@code job.max_steps=8} (12 of its 120 SFT lines, its 8 RL lines, its first 30 groups;
 * no final model, so it reads as a run in progress).
 */
class RunReportTest {

    private static final List<String> PLOTS = List.of(
            "reward.png",
            "reward-std.png",
            "accuracy.png",
            "staleness.png",
            "completion-length.png",
            "pools.png",
            "filters.png",
            "throughput.png",
            "time-split.png",
            "loss.png",
            "grad-norm.png",
            "entropy.png",
            "sft-loss.png");

    @TempDir
    Path out;

    static Path fixture() throws URISyntaxException {
        return Path.of(RunReportTest.class
                        .getResource("/runs/smoke/metrics.jsonl")
                        .toURI())
                .getParent();
    }

    @Test
    void writesValidPngPlotsAndAPageThatLinksAndEmbedsThem() throws Exception {
        RunReport.Written written = RunReport.write(fixture(), out);

        assertThat(written.page()).isEqualTo(out.resolve("report.html"));
        assertThat(written.plots())
                .extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrderElementsOf(PLOTS);
        for (Path png : written.plots()) {
            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(image).as("%s decodes as an image", png).isNotNull();
            assertThat(image.getWidth()).isEqualTo(ReportCharts.WIDTH);
            // a legend too wide for one row (the filters' six keys) adds a line per entry below the plot
            assertThat(image.getHeight())
                    .as("%s", png)
                    .isEqualTo(png.endsWith("filters.png") ? ReportCharts.HEIGHT + 24 * 5 : ReportCharts.HEIGHT);
        }
        String html = Files.readString(written.page());
        for (String plot : PLOTS) {
            assertThat(html).contains("<a href=\"plots/" + plot + "\"><img");
        }
        assertThat(html.split("src=\"data:image/png;base64,", -1)).hasSize(PLOTS.size() + 1);
        assertThat(html)
                .contains(
                        "in progress",
                        "<th>RL steps</th><td>8</td>",
                        "held-out accuracy after SFT</th><td>30.0%",
                        "<th>SFT warm-start steps</th><td>120</td>",
                        "reward_mean, first &rarr; last step</th><td>0.250 &rarr; 0.313")
                .contains("max_steps: 8") // the resolved config
                .contains(
                        "<h3>best trained groups</h3>",
                        "<h3>worst trained groups</h3>",
                        "<h3>most recent trained groups</h3>")
                // evaluations ran at steps 2, 4, 6 and 8; the fixture's groups were trained at steps 1 to 3
                .contains("<h3>trained at evaluation step 2</h3>")
                .doesNotContain("evaluation step 4");
        String rollouts = html.substring(
                html.indexOf("<h2 id=\"rollouts\">Rollouts</h2>"),
                html.indexOf("<h2 id=\"config\">Resolved config</h2>"));
        assertThat(rollouts).as("dropped groups teach nothing").doesNotContain("dropped:");
        // The most recent trained group comes first under "most recent", its twin completions collapsed.
        List<String> groups = Files.readAllLines(fixture().resolve("rollouts.jsonl"));
        JsonNode lastTrained = groups.stream()
                .filter(l -> l.contains("trained_step"))
                .reduce((a, b) -> b)
                .map(RunReportTest::json)
                .orElseThrow();
        assertThat(rollouts.substring(rollouts.indexOf("<h3>most recent trained groups</h3>")))
                .contains(
                        "<th colspan=\"3\">" + lastTrained.path("prompt").asText(),
                        "trained at step 3",
                        "<code>7</code> &times; 2",
                        "<code>8</code> &times; 2");
    }

    private static JsonNode json(String line) {
        try {
            return Json.mapper().readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theTitleIsTheRunsNameAndItsFolderWhenNamedOtherwise() throws Exception {
        RunRecords smoke = RunRecords.read(fixture());
        assertThat(RunReport.title(smoke)).isEqualTo("Rollstream: smoke");
        RunRecords elsewhere = new RunRecords(
                Path.of("/tmp/run"),
                smoke.configYaml(),
                smoke.sft(),
                smoke.rl(),
                smoke.rollouts(),
                smoke.finished(),
                smoke.events());
        assertThat(RunReport.title(elsewhere)).isEqualTo("Rollstream: smoke (run directory run)");
        RunRecords noConfig = new RunRecords(
                Path.of("/tmp/run"), null, smoke.sft(), smoke.rl(), smoke.rollouts(), smoke.finished(), smoke.events());
        assertThat(RunReport.title(noConfig)).isEqualTo("Rollstream: run");
        assertThat(Files.readString(RunReport.write(fixture(), out).page())).contains("<h1>Rollstream: smoke</h1>");
    }

    @Test
    void chartsHoldOnePointPerRecordedValue() throws Exception {
        Map<String, ReportCharts.NamedChart> charts = ReportCharts.of(RunRecords.read(fixture())).stream()
                .collect(Collectors.toMap(ReportCharts.NamedChart::file, c -> c));

        XYChart rewardChart = (XYChart) charts.get("reward.png").chart();
        // one quantity per panel: the raw points and their smoothed line, nothing else
        assertThat(rewardChart.getSeriesMap()).containsOnlyKeys("reward_mean", "reward_mean (each step)");
        XYSeries reward = rewardChart.getSeriesMap().get("reward_mean (each step)");
        // One numbering on every axis: step n published policy version n (metrics.jsonl's step + 1).
        assertThat(reward.getXData()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(reward.getYData()[0]).isEqualTo(0.25);
        assertThat(reward.getXYSeriesRenderStyle()).isEqualTo(XYSeries.XYSeriesRenderStyle.Scatter);
        assertThat(reward.isShowInLegend()).isFalse();
        assertThat(rewardChart.getSeriesMap().get("reward_mean").getYData()).hasSize(8);
        assertThat(rewardChart.getXAxisTitle()).isEqualTo(ReportCharts.STEP_AXIS);
        // the legend below the plot, never over the data
        assertThat(rewardChart.getStyler().getLegendPosition()).isEqualTo(Styler.LegendPosition.OutsideS);
        // The SFT result at version 0, then the RL evaluations (every 2 steps) at the versions they measured.
        XYSeries accuracy =
                ((XYChart) charts.get("accuracy.png").chart()).getSeriesMap().get("eval_accuracy");
        assertThat(accuracy.getXData()).containsExactly(0, 2, 4, 6, 8);
        assertThat(accuracy.getYData()).containsExactly(0.3, 0.2, 0.2, 0.2, 0.15);
        assertThat(((XYChart) charts.get("sft-loss.png").chart())
                        .getSeriesMap()
                        .get("loss")
                        .getXData())
                .hasSize(12);
        assertThat(((XYChart) charts.get("filters.png").chart()).getSeriesMap())
                .containsOnlyKeys(
                        "groups_trained",
                        "groups_dropped_zero_advantage",
                        "groups_dropped_difficulty",
                        "groups_dropped_stale",
                        "groups_dropped_length",
                        "groups_trained (each step)",
                        "groups_dropped_zero_advantage (each step)",
                        "groups_dropped_difficulty (each step)",
                        "groups_dropped_stale (each step)",
                        "groups_dropped_length (each step)");
        // pools as shares of the problems held (the counts only grow): the fixture's last step holds 106 normal of 106
        assertThat(((XYChart) charts.get("pools.png").chart())
                        .getSeriesMap()
                        .get("pool_normal (each step)")
                        .getYData())
                .endsWith(1.0);
        XYChart split = (XYChart) charts.get("time-split.png").chart();
        assertThat(split.getSeriesMap().get("step_time_s (each step)").getXData())
                .hasSize(8)
                .startsWith(1.0);
        assertThat(charts).doesNotContainKey("kl.png"); // a GRPO run has no KL
        // nor the importance-ratio figures, which losses with a ratio record
        assertThat(charts).doesNotContainKeys("importance-ratio.png", "ratio-corrections.png", "kl-to-reference.png");
        // lines without time_s (an older run) get no chart against time
        assertThat(charts).doesNotContainKey("reward-time.png");
    }

    @Test
    void aLossWithAnImportanceRatioGetsItsFiguresPlotted() throws Exception {
        Path run = copyOfFixture();
        Files.writeString(
                run.resolve("metrics.jsonl"),
                "{\"phase\":\"rl\",\"step\":0,\"reward_mean\":0.5,"
                        + "\"is_ratio_mean\":1.01,\"is_ratio_max\":1.4,\"clipped_fraction\":0.02,\"masked_fraction\":0.0,"
                        + "\"truncated_fraction\":0.01}\n");
        Map<String, ReportCharts.NamedChart> charts = ReportCharts.of(RunRecords.read(run)).stream()
                .collect(Collectors.toMap(ReportCharts.NamedChart::file, c -> c));
        assertThat(((XYChart) charts.get("importance-ratio.png").chart()).getSeriesMap())
                .containsOnlyKeys("is_ratio_mean", "is_ratio_mean (each step)");
        assertThat(((XYChart) charts.get("importance-ratio-max.png").chart()).getSeriesMap())
                .containsOnlyKeys("is_ratio_max", "is_ratio_max (each step)");
        assertThat(((XYChart) charts.get("ratio-corrections.png").chart())
                        .getSeriesMap()
                        .get("clipped_fraction")
                        .getYData())
                .containsExactly(0.02);
    }

    @Test
    void theSmoothedLineFollowsTheTrendWithoutTheNoise() {
        double[] noisy = new double[200];
        for (int i = 0; i < noisy.length; i++) {
            noisy[i] = i / 200.0 + (i % 2 == 0 ? 0.3 : -0.3);
        }
        double[] smooth = ReportCharts.smoothed(noisy);
        // centred: on the trend itself, not behind it, wherever the window is whole (5 points either side)
        for (int i = 5; i < noisy.length - 5; i++) {
            assertThat(Math.abs(smooth[i] - i / 200.0)).as("point %d", i).isLessThan(0.03);
        }
        // at the ends the window is cut, and its mean stays near the trend too
        assertThat(Math.abs(smooth[0] - 2.5 / 200)).isLessThan(0.06);
        assertThat(Math.abs(smooth[199] - 196.5 / 200)).isLessThan(0.06);
        double[] few = {1, 5, 2};
        assertThat(ReportCharts.smoothed(few)).containsExactly(few);
    }

    @Test
    void sampledEvaluationsGetAPassAtKChartOneLinePerKFromTheWarmStart() throws Exception {
        Path run = copyOfFixture();
        Files.writeString(
                run.resolve("metrics.jsonl"),
                "{\"phase\":\"sft\",\"step\":9,\"loss\":1.0,\"eval_accuracy\":0.3,\"eval_pass_at_1\":0.2,"
                        + "\"eval_pass_at_2\":0.35}\n"
                        + "{\"phase\":\"rl\",\"step\":0,\"reward_mean\":0.5}\n"
                        + "{\"phase\":\"rl\",\"step\":1,\"reward_mean\":0.6,\"eval_accuracy\":0.5,"
                        + "\"eval_pass_at_1\":0.4,\"eval_pass_at_2\":0.55}\n");
        Map<String, ReportCharts.NamedChart> charts = ReportCharts.of(RunRecords.read(run)).stream()
                .collect(Collectors.toMap(ReportCharts.NamedChart::file, c -> c));
        Map<String, XYSeries> lines = ((XYChart) charts.get("pass-at-k.png").chart()).getSeriesMap();
        assertThat(lines).containsOnlyKeys("pass@1", "pass@2");
        assertThat(lines.get("pass@1").getXData()).containsExactly(0.0, 2.0); // before RL, then version 2
        assertThat(lines.get("pass@2").getYData()).containsExactly(0.35, 0.55);
        assertThat(Files.readString(RunReport.write(run, out).page()))
                .contains("held-out pass@1 / pass@2, latest</th><td>40.0% / 55.0%");
        // nor are they a loss diagnostic charted elsewhere
        assertThat(charts).doesNotContainKeys("importance-ratio.png", "ratio-corrections.png");
        assertThat(ReportCharts.of(RunRecords.read(fixture())).stream().map(ReportCharts.NamedChart::file))
                .doesNotContain("pass-at-k.png"); // greedy evaluations only
    }

    @Test
    void aRunInProgressWithAHalfWrittenLastLineIsReportedUpToItsLastCompleteLine() throws Exception {
        Path run = copyOfFixture();
        Files.writeString(
                run.resolve("metrics.jsonl"), "{\"phase\":\"rl\",\"step\":8,\"reward_me", StandardOpenOption.APPEND);
        Files.writeString(run.resolve("rollouts.jsonl"), "{\"group_id\":\"x", StandardOpenOption.APPEND);

        RunRecords records = RunRecords.read(run);
        assertThat(records.rl()).hasSize(8);
        assertThat(records.rollouts()).hasSize(30);
        assertThat(RunReport.write(run, null).plots()).hasSize(PLOTS.size());
        assertThat(run.resolve("report.html")).exists();
    }

    @Test
    void theRestartsAndResumesOnRecordAreInTheSummary() throws Exception {
        Path run = copyOfFixture();
        assertThat(Files.readString(RunReport.write(run, null).page()))
                .contains("<th>restarts</th><td>0</td>", "<th>stops / resumes</th><td>0 / 0</td>");
        Files.writeString(run.resolve("events.jsonl"), """
                {"time":"2026-01-01T00:00:00Z","event":"start","phase":"rl","job":"a"}
                {"time":"2026-01-01T00:01:00Z","event":"restart","cause":"java.io.IOException: disk","step":3}
                {"time":"2026-01-01T00:02:00Z","event":"restart","cause":"java.lang.IllegalStateException: x","step":5}
                {"time":"2026-01-01T00:03:00Z","event":"stop","phase":"rl","savepoint":"s"}
                {"time":"2026-01-01T00:04:00Z","event":"resume","phase":"rl","after":"stop","step":7}
                """);
        assertThat(Files.readString(RunReport.write(run, null).page()))
                .contains(
                        "<th>restarts</th><td>2 (last: java.lang.IllegalStateException: x)</td>",
                        "<th>stops / resumes</th><td>1 / 1</td>");
    }

    @Test
    void aBrokenLineInsideAFileIsAnErrorNamingFileAndLine() throws Exception {
        Path run = copyOfFixture();
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        lines.set(3, "not json");
        Files.write(run.resolve("metrics.jsonl"), lines);

        assertThatThrownBy(() -> RunRecords.read(run))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("metrics.jsonl line 4 is not JSON");
    }

    @Test
    void aDirectoryWithoutMetricsIsNotARunDirectory() {
        assertThatThrownBy(() -> RunReport.write(out, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a run directory: it has no metrics.jsonl");
    }

    @Test
    void theWasteOfGenerationIsSummarizedAndPlotted() throws Exception {
        Path run = copyOfFixture();
        Files.writeString(
                run.resolve("metrics.jsonl"),
                "{\"phase\":\"rl\",\"step\":0,\"reward_mean\":0.5,\"groups_scored\":6,\"groups_trained\":4,"
                        + "\"total_groups_scored\":6,\"total_groups_trained\":4,\"total_generation_efficiency\":0.6667,"
                        + "\"total_rollout_tokens_per_trained_token\":1.5}\n"
                        + "{\"phase\":\"rl\",\"step\":1,\"reward_mean\":0.5,\"groups_scored\":4,\"groups_trained\":4,"
                        + "\"total_groups_scored\":10,\"total_groups_trained\":8,\"total_generation_efficiency\":0.8,"
                        + "\"total_rollout_tokens_per_trained_token\":1.25}\n");
        XYChart efficiency = (XYChart) ReportCharts.of(RunRecords.read(run)).stream()
                .filter(c -> c.file().equals("efficiency.png"))
                .findFirst()
                .orElseThrow()
                .chart();
        // a whole-run total is already an average: one line through its values, no smoothing (which would lag)
        assertThat(efficiency.getSeriesMap()).containsOnlyKeys("total_generation_efficiency");
        assertThat(efficiency.getSeriesMap().get("total_generation_efficiency").getYData())
                .containsExactly(0.6667, 0.8);
        String html = Files.readString(RunReport.write(run, out).page());
        assertThat(html)
                .contains(
                        "groups scored &rarr; trained (whole run)</th><td>10 &rarr; 8",
                        "generation efficiency (trained &divide; scored groups)</th><td>80.0%",
                        "rollout tokens per trained token</th><td>1.25");
    }

    @Test
    void distillationRunsGetAKlChartAndRunTextIsEscaped() throws Exception {
        Path run = copyOfFixture();
        Files.writeString(
                run.resolve("metrics.jsonl"),
                "{\"phase\":\"rl\",\"step\":0,\"reward_mean\":-0.5,\"kl_mean\":0.5}\n"
                        + "{\"phase\":\"rl\",\"step\":1,\"reward_mean\":-0.4,\"kl_mean\":0.4}\n");
        Files.writeString(
                run.resolve("rollouts.jsonl"),
                "{\"prompt\":\"<b>x</b>\",\"completions\":[\"a&b\"],"
                        + "\"rewards\":[1.0],\"advantages\":[0.0],\"trained_step\":0}\n");

        XYChart kl = (XYChart) ReportCharts.of(RunRecords.read(run)).stream()
                .filter(c -> c.file().equals("kl.png"))
                .findFirst()
                .orElseThrow()
                .chart();
        assertThat(kl.getSeriesMap().get("kl_mean").getYData()).containsExactly(0.5, 0.4);
        String html = Files.readString(RunReport.write(run, out).page());
        assertThat(html)
                .contains("&lt;b&gt;x&lt;/b&gt;", "<code>a&amp;b</code>")
                .doesNotContain("<b>x</b>");
    }

    @Test
    void eachSampleGroupShowsItsProblemsAnswerWhenTheRunRecordedIt() throws Exception {
        Path run = copyOfFixture();
        Files.writeString(
                run.resolve("rollouts.jsonl"),
                "{\"prompt\":\"2+3=\",\"answer\":\"<5>\","
                        + "\"completions\":[\"5\",\"6\"],\"rewards\":[1.0,0.0],\"advantages\":[0.5,-0.5],"
                        + "\"trained_step\":0}\n"
                        + "{\"prompt\":\"1+1=\",\"completions\":[\"2\",\"3\"],\"rewards\":[1.0,0.0],"
                        + "\"advantages\":[0.5,-0.5],\"trained_step\":1}\n");

        String html = Files.readString(RunReport.write(run, out).page());
        String rollouts = html.substring(
                html.indexOf("<h2 id=\"rollouts\">Rollouts</h2>"),
                html.indexOf("<h2 id=\"config\">Resolved config</h2>"));
        assertThat(rollouts)
                .contains("<th colspan=\"3\">2+3= &mdash; answer: <code>&lt;5&gt;</code> &mdash; policy version")
                .contains("<th colspan=\"3\">1+1= &mdash; policy version")
                .as("a run from before rollouts.jsonl carried answers shows none")
                .doesNotContain("1+1= &mdash; answer");
    }

    private Path copyOfFixture() throws IOException, URISyntaxException {
        Path run = out.resolve("run");
        Files.createDirectories(run);
        for (String name : Arrays.asList("config.yaml", "metrics.jsonl", "rollouts.jsonl")) {
            Files.copy(fixture().resolve(name), run.resolve(name));
        }
        return run;
    }
}
