package io.rollstream.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import javax.imageio.ImageIO;

import io.rollstream.common.Json;

/**
 * The run report from a recorded run directory: a trimmed copy of a real {@code configs/ci/smoke.yaml}
 * run with {@code job.max_steps=8} (12 of its 120 SFT lines, its 8 RL lines, its first 30 groups;
 * no final model, so it reads as a run in progress).
 */
class RunReportTest {

    private static final List<String> PLOTS = List.of("reward.png", "accuracy.png", "staleness.png", "pools.png",
            "filters.png", "throughput.png", "time-split.png", "learner.png", "sft-loss.png");

    @TempDir
    Path out;

    static Path fixture() throws URISyntaxException {
        return Path.of(RunReportTest.class.getResource("/runs/smoke/metrics.jsonl").toURI()).getParent();
    }

    @Test
    void writesValidPngPlotsAndAPageThatLinksAndEmbedsThem() throws Exception {
        RunReport.Written written = RunReport.write(fixture(), out);

        assertThat(written.page()).isEqualTo(out.resolve("report.html"));
        assertThat(written.plots()).extracting(p -> p.getFileName().toString()).containsExactlyInAnyOrderElementsOf(PLOTS);
        for (Path png : written.plots()) {
            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(image).as("%s decodes as an image", png).isNotNull();
            assertThat(image.getWidth()).isEqualTo(ReportCharts.WIDTH);
            assertThat(image.getHeight()).isEqualTo(ReportCharts.HEIGHT);
        }
        String html = Files.readString(written.page());
        for (String plot : PLOTS) {
            assertThat(html).contains("<a href=\"plots/" + plot + "\"><img");
        }
        assertThat(html.split("src=\"data:image/png;base64,", -1)).hasSize(PLOTS.size() + 1);
        assertThat(html).contains("in progress", "<th>RL steps</th><td>8</td>", "held-out accuracy after SFT</th><td>30.0%",
                "<th>SFT warm-start steps</th><td>120</td>",
                "reward_mean, first &rarr; last step</th><td>0.250 &rarr; 0.313")
                .contains("max_steps: 8") // the resolved config
                .contains("<h3>best</h3>", "<h3>worst</h3>", "<h3>most recent</h3>");
        // The most recent group comes first under "most recent".
        List<String> groups = Files.readAllLines(fixture().resolve("rollouts.jsonl"));
        String lastPrompt = Json.mapper().readTree(groups.get(groups.size() - 1))
                .path("prompt").asText();
        assertThat(html.substring(html.indexOf("<h3>most recent</h3>"))).contains("<th colspan=\"3\">" + lastPrompt);
    }

    @Test
    void chartsHoldOnePointPerRecordedValue() throws Exception {
        Map<String, ReportCharts.NamedChart> charts = ReportCharts.of(RunRecords.read(fixture())).stream()
                .collect(Collectors.toMap(ReportCharts.NamedChart::file, c -> c));

        XYSeries reward = ((XYChart) charts.get("reward.png").chart()).getSeriesMap().get("reward_mean");
        assertThat(reward.getXData()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(reward.getYData()[0]).isEqualTo(0.25);
        // The SFT result at version 0, then the RL evaluations (every 2 steps) at the versions they measured.
        XYSeries accuracy = ((XYChart) charts.get("accuracy.png").chart()).getSeriesMap().get("eval_accuracy");
        assertThat(accuracy.getXData()).containsExactly(0, 2, 4, 6, 8);
        assertThat(accuracy.getYData()).containsExactly(0.3, 0.2, 0.2, 0.2, 0.15);
        assertThat(((XYChart) charts.get("sft-loss.png").chart()).getSeriesMap().get("loss").getXData()).hasSize(12);
        assertThat(((XYChart) charts.get("filters.png").chart()).getSeriesMap()).containsOnlyKeys("groups_trained",
                "groups_dropped_zero_advantage", "groups_dropped_difficulty", "groups_dropped_stale",
                "groups_dropped_length");
        assertThat(((XYChart) charts.get("pools.png").chart()).getSeriesMap().get("pool_normal").getYData())
                .endsWith(106.0);
        CategoryChart split = (CategoryChart) charts.get("time-split.png").chart();
        assertThat(split.getSeriesMap()).hasSize(2);
        split.getSeriesMap().values().forEach(s -> assertThat(s.getXData()).hasSize(8));
        assertThat(charts).doesNotContainKey("kl.png"); // a GRPO run has no KL
    }

    @Test
    void aRunInProgressWithAHalfWrittenLastLineIsReportedUpToItsLastCompleteLine() throws Exception {
        Path run = copyOfFixture();
        Files.writeString(run.resolve("metrics.jsonl"), "{\"phase\":\"rl\",\"step\":8,\"reward_me",
                StandardOpenOption.APPEND);
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
        assertThat(Files.readString(RunReport.write(run, null).page())).contains("<th>restarts</th><td>0</td>",
                "<th>stops / resumes</th><td>0 / 0</td>");
        Files.writeString(run.resolve("events.jsonl"), """
                {"time":"2026-01-01T00:00:00Z","event":"start","phase":"rl","job":"a"}
                {"time":"2026-01-01T00:01:00Z","event":"restart","cause":"java.io.IOException: disk","step":3}
                {"time":"2026-01-01T00:02:00Z","event":"restart","cause":"java.lang.IllegalStateException: x","step":5}
                {"time":"2026-01-01T00:03:00Z","event":"stop","phase":"rl","savepoint":"s"}
                {"time":"2026-01-01T00:04:00Z","event":"resume","phase":"rl","after":"stop","step":7}
                """);
        assertThat(Files.readString(RunReport.write(run, null).page()))
                .contains("<th>restarts</th><td>2 (last: java.lang.IllegalStateException: x)</td>",
                        "<th>stops / resumes</th><td>1 / 1</td>");
    }

    @Test
    void aBrokenLineInsideAFileIsAnErrorNamingFileAndLine() throws Exception {
        Path run = copyOfFixture();
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        lines.set(3, "not json");
        Files.write(run.resolve("metrics.jsonl"), lines);

        assertThatThrownBy(() -> RunRecords.read(run)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("metrics.jsonl line 4 is not JSON");
    }

    @Test
    void aDirectoryWithoutMetricsIsNotARunDirectory() {
        assertThatThrownBy(() -> RunReport.write(out, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a run directory: it has no metrics.jsonl");
    }

    @Test
    void theWasteOfGenerationIsSummarizedAndPlotted() throws Exception {
        Path run = copyOfFixture();
        Files.writeString(run.resolve("metrics.jsonl"),
                "{\"phase\":\"rl\",\"step\":0,\"reward_mean\":0.5,\"groups_scored\":6,\"groups_trained\":4,"
                        + "\"total_groups_scored\":6,\"total_groups_trained\":4,\"total_generation_efficiency\":0.6667,"
                        + "\"total_rollout_tokens_per_trained_token\":1.5}\n"
                        + "{\"phase\":\"rl\",\"step\":1,\"reward_mean\":0.5,\"groups_scored\":4,\"groups_trained\":4,"
                        + "\"total_groups_scored\":10,\"total_groups_trained\":8,\"total_generation_efficiency\":0.8,"
                        + "\"total_rollout_tokens_per_trained_token\":1.25}\n");
        XYChart waste = (XYChart) ReportCharts.of(RunRecords.read(run)).stream()
                .filter(c -> c.file().equals("waste.png")).findFirst().orElseThrow().chart();
        assertThat(waste.getSeriesMap().get("total_generation_efficiency").getYData()).containsExactly(0.6667, 0.8);
        String html = Files.readString(RunReport.write(run, out).page());
        assertThat(html).contains("groups scored &rarr; trained (whole run)</th><td>10 &rarr; 8",
                "generation efficiency (trained &divide; scored groups)</th><td>80.0%",
                "rollout tokens per trained token</th><td>1.25");
    }

    @Test
    void distillationRunsGetAKlChartAndRunTextIsEscaped() throws Exception {
        Path run = copyOfFixture();
        Files.writeString(run.resolve("metrics.jsonl"),
                "{\"phase\":\"rl\",\"step\":0,\"reward_mean\":-0.5,\"kl_mean\":0.5}\n"
                        + "{\"phase\":\"rl\",\"step\":1,\"reward_mean\":-0.4,\"kl_mean\":0.4}\n");
        Files.writeString(run.resolve("rollouts.jsonl"), "{\"prompt\":\"<b>x</b>\",\"completions\":[\"a&b\"],"
                + "\"rewards\":[1.0],\"advantages\":[0.0],\"trained_step\":0}\n");

        XYChart kl = (XYChart) ReportCharts.of(RunRecords.read(run)).stream()
                .filter(c -> c.file().equals("kl.png")).findFirst().orElseThrow().chart();
        assertThat(kl.getSeriesMap().get("kl_mean").getYData()).containsExactly(0.5, 0.4);
        String html = Files.readString(RunReport.write(run, out).page());
        assertThat(html).contains("&lt;b&gt;x&lt;/b&gt;", "<code>a&amp;b</code>").doesNotContain("<b>x</b>");
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
