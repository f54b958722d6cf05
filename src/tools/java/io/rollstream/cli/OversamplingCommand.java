package io.rollstream.cli;

import io.rollstream.experiment.OversamplingExperiment;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rollstream experiment oversampling}. */
@Command(
        name = "oversampling",
        mixinStandardHelpOptions = true,
        description = "From one SFT warm start, runs the same RL job at oversampling_factor 1.0, 1.5, 2.0 and"
                + " adaptive for the same number of learner steps, then writes table.md, table.json and plots"
                + " under --out and the page --docs (default docs/oversampling.md) with its figures beside it.")
final class OversamplingCommand implements Callable<Integer> {

    @Option(
            names = "--config",
            defaultValue = "configs/oversampling.yaml",
            description = "the run config shared by every arm (default ${DEFAULT-VALUE})")
    Path config;

    @Option(names = "--set", description = "override a config key in every arm (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--steps", defaultValue = "200", description = "learner steps per arm (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--init", description = "start every arm from this checkpoint instead of a fresh SFT warm start")
    Path init;

    @Option(names = "--out", description = "output directory (default: runs/oversampling-<timestamp>)")
    Path out;

    @Option(
            names = "--docs",
            defaultValue = "docs/oversampling.md",
            description = "the page to write, or 'none' (default ${DEFAULT-VALUE})")
    String docs;

    @Override
    public Integer call() throws Exception {
        ConfigFiles.load(config, overrides);
        if (steps < 1) {
            throw new IllegalArgumentException("--steps must be at least 1, got " + steps);
        }
        Path dir = out != null
                ? out
                : Path.of(
                        "runs",
                        "oversampling-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        OversamplingExperiment.run(
                config, overrides, steps, init, dir, "none".equals(docs) ? null : Path.of(docs), System.out);
        return 0;
    }
}
