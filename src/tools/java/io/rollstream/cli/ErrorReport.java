package io.rollstream.cli;

import io.rollstream.config.InvalidConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * How a command ends on an error. A user error — a bad flag, an invalid config, a missing, unreadable
 * or corrupt file, a refused run directory or resume (an {@link IllegalArgumentException} or an
 * I/O error) — prints one line naming the problem and its fix (a few lines when a config has several
 * problems) and exits with 2; its stack trace only with {@code --verbose}. Anything else is a failure
 * of the run or a bug: its stack trace, then the same one-line summary, exit code 1.
 */
final class ErrorReport implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {

    /** Exit code of a user error. */
    static final int USER_ERROR = 2;
    /** Exit code of a failed run. */
    static final int FAILURE = 1;

    /** The option that asks for stack traces. */
    static final String VERBOSE = "--verbose";

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) {
        PrintWriter err = command.getErr();
        boolean user = isUserError(e);
        if (!user || verbose(parsed)) {
            e.printStackTrace(err);
        }
        err.println("rollstream " + command.getCommandName() + (user ? ": " : " failed: ") + summary(e));
        err.flush();
        return user ? USER_ERROR : FAILURE;
    }

    /**
     * A bad command line: the one problem and where help is, never the whole usage. An unknown
     * command or option comes first (picocli would report a missing required option before it) and
     * gets the nearest names by edit distance.
     */
    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        String name = command.getCommandSpec().qualifiedName();
        List<String> unmatched = e instanceof CommandLine.UnmatchedArgumentException u
                ? u.getUnmatched()
                : command.getUnmatchedArguments();
        String problem = unmatched.isEmpty() ? e.getMessage() : unknown(command, unmatched.get(0));
        err.println(name + ": " + problem + " (see " + name + " --help)");
        err.flush();
        return USER_ERROR;
    }

    /** Names an unknown command or option, and the nearest real ones. */
    private static String unknown(CommandLine command, String given) {
        boolean option = given.startsWith("-");
        String word = given.contains("=") && option ? given.substring(0, given.indexOf('=')) : given;
        Collection<String> names = option
                ? command.getCommandSpec().optionsMap().keySet()
                : command.getSubcommands().keySet();
        String kind = option ? "option" : command.getSubcommands().isEmpty() ? "argument" : "command";
        List<String> near = Suggestions.nearest(word, names);
        return "unknown " + kind + " '" + word + "'"
                + (near.isEmpty() ? "" : "; did you mean " + String.join(" or ", near) + "?");
    }

    /** Errors of what the user gave, as opposed to failures of the run or bugs. */
    static boolean isUserError(Throwable e) {
        return e instanceof IllegalArgumentException || e instanceof IOException || e instanceof UncheckedIOException;
    }

    /** The problem in one line — or one line per problem of an invalid config. */
    static String summary(Throwable e) {
        if (e instanceof InvalidConfigException invalid && invalid.errors().size() > 1) {
            return invalid.errors().size() + " problems:\n  " + String.join("\n  ", invalid.errors());
        }
        String message = e.getMessage();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        if (root != e && root.getMessage() != null && !message.contains(root.getMessage())) {
            message += " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        }
        return message;
    }

    private static boolean verbose(ParseResult parsed) {
        for (ParseResult level = parsed; level != null; level = level.subcommand()) {
            if (level.hasMatchedOption(VERBOSE)) {
                return true;
            }
        }
        return false;
    }
}
