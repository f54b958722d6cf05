package io.rollstream.report;

import org.knowm.xchart.BitmapEncoder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
        Path plotsDir = out.resolve("plots");
        Files.createDirectories(plotsDir);
        List<ReportPage.Plot> plots = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (ReportCharts.NamedChart c : ReportCharts.of(run)) {
            byte[] png = BitmapEncoder.getBitmapBytes(c.chart(), BitmapEncoder.BitmapFormat.PNG);
            Path file = plotsDir.resolve(c.file());
            Files.write(file, png);
            files.add(file);
            plots.add(new ReportPage.Plot("plots/" + c.file(), c.title(), png));
        }
        String html = ReportPage.render("Rollstream run " + runDir.toAbsolutePath().normalize().getFileName(),
                ReportSummary.of(run), plots, RolloutSamples.of(run.rollouts(), SAMPLES_PER_KIND), run.configYaml());
        Path page = out.resolve("report.html");
        Files.writeString(page, html, StandardCharsets.UTF_8);
        return new Written(page, files);
    }
}
