package io.rollstream.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jobs/rollstream} command line: one subcommand per thing a user does. */
@Command(name = "rollstream", mixinStandardHelpOptions = true, version = "rollstream 0.1.0",
        description = "RL post-training and on-policy distillation of language models as a Flink job.",
        subcommands = {RunCommand.class, StopCommand.class, SftCommand.class, EvalCommand.class, ReportCommand.class,
                DistillVarianceCommand.class, BenchCommand.class, ModelCommand.class})
public final class RollstreamCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command (see --help)");
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new RollstreamCli()).execute(args));
    }
}
