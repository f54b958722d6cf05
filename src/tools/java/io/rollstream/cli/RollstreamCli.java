package io.rollstream.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jobs/rollstream} command line: one subcommand per thing a user does. */
@Command(
        name = "rollstream",
        mixinStandardHelpOptions = true,
        version = "rollstream 0.1.0",
        description = "RL post-training and on-policy distillation of language models as a Flink job.",
        subcommands = {
            RunCommand.class,
            StopCommand.class,
            SftCommand.class,
            EvalCommand.class,
            ReportCommand.class,
            DistillVarianceCommand.class,
            ExperimentCommand.class,
            BenchCommand.class,
            ModelCommand.class,
            ExportCommand.class,
            EngineCommand.class
        })
public final class RollstreamCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(
            names = ErrorReport.VERBOSE,
            scope = CommandLine.ScopeType.INHERIT,
            description = "print the stack trace of errors (user errors print one line without it)")
    boolean verbose;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command");
    }

    /** The command line with its error reporting ({@link ErrorReport}). */
    public static CommandLine commandLine() {
        ErrorReport errors = new ErrorReport();
        return new CommandLine(new RollstreamCli())
                .setHelpFactory(WholeWordHelp.FACTORY)
                .setExecutionExceptionHandler(errors)
                .setParameterExceptionHandler(errors);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
