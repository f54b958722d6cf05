package io.rollstream.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code rollstream model logprobs|generate|init}: check a model before a long run, or make one. */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description = "Check a model before a long run (logprobs, generate) or write a random one in Hugging Face"
                + " layout (init). --model takes a Hugging Face directory, a .rsckpt checkpoint, a policy version"
                + " folder or a run directory.",
        subcommands = {ModelLogprobsCommand.class, ModelGenerateCommand.class, ModelInitCommand.class})
final class ModelCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: logprobs, generate or init");
    }
}
