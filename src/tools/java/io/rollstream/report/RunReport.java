package io.rollstream.report;

import io.rollstream.types.StepMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;

/**
 * {@code rollstream report}: reads a run directory (finished or still running), saves one PNG per
 * chart under {@code <out>/plots/} and writes {@code <out>/report.html}.
 */
public final class RunReport {

    /** Groups shown per kind (best, worst, most recent). */
    static final int SAMPLES_PER_KIND = 3;

    /** What was written. */
    public record Written(Path page, List<Path> plots) {}

    private RunReport() {}

    /**
     * @param runDir the run directory
     * @param outDir where report.html and plots/ go (the run directory when null)
     */
    public static Written write(Path runDir, Path outDir) throws IOException {
        RunRecords run = RunRecords.read(runDir);
        Path out = outDir != null ? outDir : runDir;
        List<Path> files = new ArrayList<>();
        List<ReportPage.Plot> plots = savePlots(ReportCharts.of(run), out, files);
        String html = ReportPage.render(
                title(run),
                ReportSummary.of(run),
                plots,
                RolloutSamples.of(
                        run.rollouts(),
                        run.rl().stream()
                                .filter(StepMetrics::evaluated)
                                .map(StepMetrics::step)
                                .toList(),
                        SAMPLES_PER_KIND),
                run.configYaml());
        Path page = out.resolve("report.html");
        Files.writeString(page, html, StandardCharsets.UTF_8);
        return new Written(page, files);
    }

    /**
     * Makes the written page reload itself every {@code seconds} in a browser (a {@code meta
     * refresh}), for {@code report --watch}.
     */
    public static void reloadEvery(Path page, int seconds) throws IOException {
        String html = Files.readString(page, StandardCharsets.UTF_8);
        Files.writeString(
                page,
                html.replaceFirst("<head>", "<head><meta http-equiv=\"refresh\" content=\"" + seconds + "\">"),
                StandardCharsets.UTF_8);
    }

    /** Saves each chart as {@code <out>/plots/<file>} (its path added to {@code files}); the page's plots. */
    static List<ReportPage.Plot> savePlots(List<ReportCharts.NamedChart> charts, Path out, List<Path> files)
            throws IOException {
        Path plotsDir = out.resolve("plots");
        Files.createDirectories(plotsDir);
        List<ReportPage.Plot> plots = new ArrayList<>();
        for (ReportCharts.NamedChart c : charts) {
            if (c.chart() instanceof XYChart xy) {
                ReportCharts.finish(xy);
            }
            byte[] png = BitmapEncoder.getBitmapBytes(c.chart(), BitmapEncoder.BitmapFormat.PNG);
            Path file = plotsDir.resolve(c.file());
            Files.write(file, png);
            files.add(file);
            plots.add(new ReportPage.Plot("plots/" + c.file(), c.title(), png));
        }
        return plots;
    }

    /**
     * The page's title: the run's {@code job.name} and, when the folder is named otherwise (not the
     * default {@code <job.name>-<timestamp>}), the folder too.
     */
    static String title(RunRecords run) {
        String folder = String.valueOf(run.dir().toAbsolutePath().normalize().getFileName());
        String job = run.jobName();
        if (job == null || folder.startsWith(job)) {
            return "Rollstream: " + folder;
        }
        return "Rollstream: " + job + " (run directory " + folder + ")";
    }
}
