package io.rollstream.cli;

import io.rollstream.experiment.DistillVarianceExperiment;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rollstream distill-variance} (also {@code rollstream experiment distill-variance}): the
 * rollouts-per-prompt distillation variance experiment, every row over several sampling seeds.
 */
@Command(
        name = "distill-variance",
        mixinStandardHelpOptions = true,
        description = "Runs one distillation per --rollouts value and --seeds sampling seed from the same student"
                + " start, teacher and prompts, then writes table.md, table.json and kl-per-epoch.png (see"
                + " configs/distill-variance.yaml). Runs already finished under --out are read, not repeated.")
final class DistillVarianceCommand implements Callable<Integer> {

    @Option(
            names = "--config",
            required = true,
            description = "the distillation config (e.g. configs/distill-variance.yaml)")
    Path config;

    @Option(names = "--set", description = "override a config key in every run (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(
            names = "--rollouts",
            split = ",",
            defaultValue = "1,4,8,16,32",
            description = "rollouts per prompt, one row each (default ${DEFAULT-VALUE})")
    List<Integer> rollouts;

    @Option(
            names = "--seeds",
            split = ",",
            defaultValue = "1,2,3,4,5",
            description = "sampling seeds (rollout.seed), one run each per row (default ${DEFAULT-VALUE})")
    List<Long> seeds;

    @Option(names = "--out", description = "output directory (default: runs/distill-variance-<timestamp>)")
    Path out;

    @Override
    public Integer call() throws Exception {
        ConfigFiles.load(config, overrides);
        Path dir = out != null
                ? out
                : Path.of(
                        "runs",
                        "distill-variance-"
                                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        DistillVarianceExperiment.run(config, overrides, rollouts, seeds, dir, System.out);
        return 0;
    }
}
