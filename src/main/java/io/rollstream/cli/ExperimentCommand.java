package io.rollstream.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code rollstream experiment NAME}: experiments that run several arms and write a report page. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Experiments that run several configurations of the job and write a report.",
        subcommands = {OversamplingCommand.class})
final class ExperimentCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name an experiment (see --help)");
    }
}
