package io.rollstream.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.cli.RollstreamCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

/** Several runs on one page: summaries side by side, one line per run in each chart. */
class CompareReportTest {

    @TempDir
    Path work;

    /** A copy of the recorded smoke run as job {@code name}; {@code nudged}: each RL reward gets a last digit 1. */
    private Path run(String name, boolean nudged) throws Exception {
        Path fixture = Path.of(CompareReportTest.class
                        .getResource("/runs/smoke/metrics.jsonl")
                        .toURI())
                .getParent();
        Path dir = work.resolve(name + "-20260101-120000");
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve("config.yaml"),
                Files.readString(fixture.resolve("config.yaml")).replace("name: \"smoke\"", "name: \"" + name + "\""));
        StringBuilder metrics = new StringBuilder();
        for (String line : Files.readAllLines(fixture.resolve("metrics.jsonl"))) {
            metrics.append(line.replaceAll(
                            "\"reward_mean\":([0-9.]+)",
                            "\"reward_mean\":" + (line.contains("\"rl\"") ? "$1" + (nudged ? "1" : "") : "$1")))
                    .append('\n');
        }
        Files.writeString(dir.resolve("metrics.jsonl"), metrics);
        return dir;
    }

    @Test
    void twoRunsShareEachChartAndTheSummaryTable() throws Exception {
        Path a = run("grpo", false);
        Path b = run("dppo", true);
        Path out = work.resolve("out");
        RunReport.Written written = CompareReport.write(List.of(a, b), out);

        assertThat(written.page()).isEqualTo(out.resolve("compare.html"));
        String html = Files.readString(written.page(), StandardCharsets.UTF_8);
        assertThat(html)
                .contains(
                        "<h1>Rollstream: grpo-20260101-120000 vs dppo-20260101-120000</h1>",
                        "<tr><th></th><th>grpo-20260101-120000</th><th>dppo-20260101-120000</th></tr>",
                        "<th>RL steps</th><td>8</td><td>8</td>");
        Map<String, ReportCharts.NamedChart> charts =
                CompareReport.charts(List.of(RunRecords.read(a), RunRecords.read(b)), List.of("grpo", "dppo")).stream()
                        .collect(Collectors.toMap(ReportCharts.NamedChart::file, c -> c));
        XYChart reward = (XYChart) charts.get("reward.png").chart();
        assertThat(reward.getSeriesMap()).containsOnlyKeys("grpo", "grpo (each step)", "dppo", "dppo (each step)");
        assertThat(reward.getSeriesMap().get("grpo (each step)").getYData()[0]).isEqualTo(0.25);
        assertThat(reward.getSeriesMap().get("dppo (each step)").getYData()[0]).isEqualTo(0.251);
        assertThat(written.plots()).extracting(p -> p.getFileName().toString()).contains("reward.png", "accuracy.png");
    }

    @Test
    void theCommandComparesSeveralRunsAndWatchStopsOnceTheyFinished() throws Exception {
        Path a = run("grpo", false);
        Path b = run("dppo", true);
        Files.writeString(a.resolve("final-model.rsckpt"), "x");
        Files.writeString(b.resolve("final-model.rsckpt"), "x");
        Path out = work.resolve("watched");
        assertThat(rollstream("report", a.toString(), b.toString(), "--out", out.toString(), "--watch", "5"))
                .isZero();
        assertThat(Files.readString(out.resolve("compare.html")))
                .contains("<meta http-equiv=\"refresh\" content=\"5\">");
        assertThat(rollstream("report", a.toString(), "--watch", "0")).isEqualTo(2);
    }

    private static int rollstream(String... args) {
        return RollstreamCli.commandLine()
                .setErr(new PrintWriter(new StringWriter()))
                .execute(args);
    }
}
