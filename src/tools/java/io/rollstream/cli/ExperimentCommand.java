package io.rollstream.cli;

import io.rollstream.experiment.AlgorithmsExperiment;
import io.rollstream.experiment.AlgorithmsReport;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rollstream experiment …}: the measured comparisons behind the docs. */
@Command(
        name = "experiment",
        mixinStandardHelpOptions = true,
        description = "Runs a comparison experiment and writes its report.",
        subcommands = {ExperimentCommand.Algorithms.class, DistillVarianceCommand.class, OversamplingCommand.class})
final class ExperimentCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "name an experiment: algorithms, distill-variance or oversampling");
    }

    /** {@code rollstream experiment algorithms}. */
    @Command(
            name = "algorithms",
            mixinStandardHelpOptions = true,
            description = "Runs the quickstart task once per arm (loss, aggregation, advantage, architecture, or any"
                    + " overrides) from one SFT checkpoint (an arm changing model.*, sft.* or data.* trains its own),"
                    + " same seed, same learner steps; writes algorithms.md, algorithms.json, accuracy.png and"
                    + " accuracy-time.png under --out/report and into --doc. Arms already run under --out are read.")
    static final class Algorithms implements Callable<Integer> {

        @Option(
                names = "--config",
                defaultValue = "configs/quickstart.yaml",
                description = "the GRPO config every arm starts from (default ${DEFAULT-VALUE})")
        Path config;

        @Option(names = "--set", description = "override a config key in every arm (repeatable)")
        List<String> overrides = new ArrayList<>();

        @Option(
                names = "--steps",
                defaultValue = "600",
                description = "learner steps per arm (default ${DEFAULT-VALUE})")
        int steps;

        @Option(
                names = "--arms",
                split = ",",
                description = "only these of the built-in arms: dppo, ppo_clip, gspo,"
                        + " cispo, ppo_clip_std, ppo_clip_rloo, dr_grpo, grpo_seq_mean, llama (default: all)")
        List<String> only = new ArrayList<>();

        @Option(
                names = "--arm",
                description = "an extra arm, name:key=value;key=value (repeatable), e.g."
                        + " lr2e-4:learner.learning_rate=2e-4")
        List<String> extra = new ArrayList<>();

        @Option(
                names = "--sft-checkpoint",
                description = "start every arm from this checkpoint instead of training the config's SFT once")
        Path sftCheckpoint;

        @Option(names = "--out", description = "output directory (default: runs/algorithms-<timestamp>)")
        Path out;

        @Option(
                names = "--doc",
                defaultValue = "docs/algorithms.md",
                description = "document whose marked block receives the table (none: leave docs alone; default"
                        + " ${DEFAULT-VALUE})")
        String doc;

        @Override
        public Integer call() throws Exception {
            ConfigFiles.load(config, overrides);
            List<AlgorithmsExperiment.Arm> arms = new ArrayList<>();
            for (AlgorithmsExperiment.Arm arm : AlgorithmsExperiment.DEFAULT_ARMS) {
                if (only.isEmpty() ? extra.isEmpty() : only.contains(arm.name())) {
                    arms.add(arm);
                }
            }
            for (String text : extra) {
                arms.add(AlgorithmsExperiment.Arm.parse(text));
            }
            if (arms.isEmpty() || steps < 1) {
                System.err.println("nothing to run: name built-in --arms (" + String.join(", ", names()) + ") or give"
                        + " --arm name:key=value, and --steps >= 1");
                return 2;
            }
            Path dir = out != null
                    ? out
                    : Path.of(
                            "runs",
                            "algorithms-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            String command = "jobs/rollstream experiment algorithms --config " + config + " --steps " + steps
                    + (only.isEmpty() ? "" : " --arms " + String.join(",", only))
                    + extra.stream().map(a -> " --arm '" + a + "'").reduce("", String::concat)
                    + overrides.stream().map(o -> " --set " + o).reduce("", String::concat);
            AlgorithmsExperiment.run(
                    new AlgorithmsExperiment.Settings(config, overrides, arms, steps, sftCheckpoint, dir, command),
                    System.out);
            if (!"none".equals(doc)) {
                AlgorithmsReport.publish(dir.resolve("report"), Path.of(doc));
                System.out.println("table written into " + doc);
            }
            return 0;
        }

        private static List<String> names() {
            return AlgorithmsExperiment.DEFAULT_ARMS.stream()
                    .map(AlgorithmsExperiment.Arm::name)
                    .toList();
        }
    }
}
