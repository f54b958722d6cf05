package io.rollstream.cli;

import io.rollstream.config.RunConfig;
import io.rollstream.job.SftRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rollstream sft}: supervised training only; writes a checkpoint (e.g. a distillation teacher). */
@Command(
        name = "sft",
        mixinStandardHelpOptions = true,
        description = "Trains a model with the config's sft section on its built-in task (no RL) and writes"
                + " <run-dir>/final-model.rsckpt, e.g. a teacher for distillation (teacher.checkpoint).")
final class SftCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "YAML config file (see configs/README.md)")
    Path config;

    @Option(names = "--set", description = "override a config key, e.g. --set sft.steps=500 (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(
            names = "--run-dir",
            required = true,
            description = "where config.yaml, metrics.jsonl and final-model.rsckpt go")
    Path runDir;

    @Option(
            names = "--resume",
            description = "continue the interrupted training of --run-dir (killed, or stopped"
                    + " with `rollstream stop RUN`) from its saved state (sft.checkpoint_every)")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        RunConfig resolved = ConfigFiles.load(config, overrides);
        SftRun.run(resolved, runDir, resume, System.out);
        return 0;
    }
}
