package io.rollstream.cli;

import io.rollstream.report.CompareReport;
import io.rollstream.report.RunRecords;
import io.rollstream.report.RunReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rollstream report RUN_DIR...}: plots and an HTML page of a run, finished or in progress,
 * or of several runs compared on one page; with {@code --watch}, rewritten until the runs finish.
 */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = "Writes PNG plots (plots/*.png) and report.html for a run directory; works while the run goes on."
                + " With several run directories, one page comparing them (compare.html).")
final class ReportCommand implements Callable<Integer> {

    /** Seconds between rewrites with a bare --watch. */
    static final int DEFAULT_WATCH_SECONDS = 30;

    @Parameters(
            index = "0..*",
            arity = "1..*",
            paramLabel = "RUN_DIR",
            description = "a run directory (the --run-dir of `run`); several: their curves overlaid on one page")
    List<Path> runDirs;

    @Option(
            names = "--out",
            description = "where the page and plots/ go (default: RUN_DIR; with several runs, the working directory)")
    Path out;

    @Option(
            names = "--watch",
            arity = "0..1",
            paramLabel = "SECONDS",
            fallbackValue = "" + DEFAULT_WATCH_SECONDS,
            description = "rewrite the page every SECONDS (default " + DEFAULT_WATCH_SECONDS + ") until every run has"
                    + " finished; the page in a browser reloads itself as often")
    Integer watch;

    @Override
    public Integer call() throws Exception {
        if (watch != null && watch < 1) {
            throw new IllegalArgumentException("--watch " + watch + ": give the seconds between rewrites, at least 1");
        }
        while (true) {
            RunReport.Written written = write(); // not a run directory: one line (ErrorReport)
            if (watch != null) {
                RunReport.reloadEvery(written.page(), watch);
            }
            System.out.println("report: " + written.page().toAbsolutePath() + " ("
                    + written.plots().size() + " plots)");
            if (watch == null || allFinished()) {
                return 0;
            }
            Thread.sleep(watch * 1000L);
        }
    }

    private RunReport.Written write() throws IOException {
        if (runDirs.size() == 1) {
            return RunReport.write(runDirs.get(0), out);
        }
        return CompareReport.write(runDirs, out != null ? out : Path.of("."));
    }

    private boolean allFinished() throws IOException {
        for (Path dir : runDirs) {
            if (!RunRecords.read(dir).finished()) {
                return false;
            }
        }
        return true;
    }
}
