package io.rollstream.cli;

import io.rollstream.report.RunReport;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code rollstream report RUN_DIR}: plots and an HTML page of a run, finished or in progress. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Writes PNG plots (plots/*.png) and report.html for a run directory; works while the run goes on.")
final class ReportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "a run directory (the --run-dir of `run`)")
    Path runDir;

    @Option(names = "--out", description = "where report.html and plots/ go (default: RUN_DIR)")
    Path out;

    @Override
    public Integer call() throws Exception {
        RunReport.Written written = RunReport.write(runDir, out); // not a run directory: one line (ErrorReport)
        System.out.println("report: " + written.page().toAbsolutePath() + " (" + written.plots().size() + " plots)");
        return 0;
    }
}
