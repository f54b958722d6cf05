package io.rollstream.cli;

import io.rollstream.config.RunConfig;
import io.rollstream.job.LocalRun;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code rollstream run}: the pipeline on a local mini-cluster. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs the RL pipeline on a local Flink mini-cluster (web UI on localhost when job.web_ui).")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "YAML config file (see configs/README.md)")
    Path config;

    @Option(names = "--set", description = "override a config key, e.g. --set rollout.temperature=0.7 (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--run-dir", description = "run directory (default: runs/<job.name>-<timestamp>)")
    Path runDir;

    @Option(names = "--resume-from", description = "a retained checkpoint or savepoint to continue from")
    String resumeFrom;

    @Override
    public Integer call() throws Exception {
        RunConfig resolved = ConfigFiles.loadOrReport(config, overrides);
        if (resolved == null) {
            return 2;
        }
        Path dir = runDir != null ? runDir : Path.of("runs", resolved.job().name() + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        LocalRun.run(resolved, dir, resumeFrom, System.out);
        return 0;
    }
}
