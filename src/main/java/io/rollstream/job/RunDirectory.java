package io.rollstream.job;

import io.rollstream.config.ConfigLoader;
import io.rollstream.config.InvalidConfigException;
import io.rollstream.config.RunConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What a run directory may be (invariant 10: a run directory is only ever written by its own run).
 * A new run takes a directory that does not exist yet or is empty; a resumed run continues in the
 * directory of the run it resumes, with the same model, data source and algorithm. Both are checked
 * before anything is written, so a refused run leaves the directory as it was.
 */
public final class RunDirectory {

    /** Entries of a non-empty directory named in its refusal. */
    private static final int LISTED = 3;

    private RunDirectory() {}

    /** A new run's directory ({@code flag} names where it came from, e.g. {@code --run-dir}): absent or empty. */
    public static void requireNewOrEmpty(Path dir, String flag) {
        requireNewOrOwn(dir, flag, name -> false);
    }

    /**
     * An output directory that a command continues where an earlier, interrupted attempt of the same
     * command left it: absent, empty, or holding only entries {@code own} recognises as that
     * command's output. Anything else in it is refused, as for a new run's directory.
     */
    public static void requireNewOrOwn(Path dir, String flag, Predicate<String> own) {
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(flag + " " + dir + " is a file, not a directory: choose a new " + flag);
        }
        List<String> entries = entries(dir).stream().filter(own.negate()).toList();
        if (!entries.isEmpty()) {
            boolean isRun = entries.contains("config.yaml");
            throw new IllegalArgumentException(flag + " " + dir + " already holds " + (isRun ? "a run" : "files") + " ("
                    + String.join(", ", entries.subList(0, Math.min(LISTED, entries.size())))
                    + (entries.size() > LISTED ? ", ..." : "") + "): a new run needs a new or empty directory; choose"
                    + " another " + flag + (isRun ? ", or continue that run with --resume-from " + dir : ""));
        }
    }

    /**
     * A resumed run's directory: a run directory whose {@code config.yaml} has the model, data source
     * and algorithm of {@code config} (the checkpoint holds state of that shape and those stages).
     */
    public static void requireResumable(Path dir, RunConfig config) {
        Path file = dir.resolve("config.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(
                    "--resume-from: " + dir + " is not a run directory (it has no config.yaml):"
                            + " a resumed run continues in the directory of the run it resumes; give that as --run-dir");
        }
        RunConfig before;
        try {
            before = ConfigLoader.load(file);
        } catch (InvalidConfigException e) {
            throw new IllegalArgumentException(
                    "--resume-from: " + file + " is not a valid run config ("
                            + e.errors().get(0) + "): restore it, or start a new run",
                    e);
        }
        List<String> changed = new ArrayList<>();
        compare(changed, "model.layers", before.model().layers(), config.model().layers());
        compare(changed, "model.heads", before.model().heads(), config.model().heads());
        compare(
                changed,
                "model.d_model",
                before.model().dModel(),
                config.model().dModel());
        compare(
                changed,
                "model.mlp_width",
                before.model().mlpWidth(),
                config.model().mlpWidth());
        compare(
                changed,
                "model.context_length",
                before.model().contextLength(),
                config.model().contextLength());
        compare(
                changed,
                "model.positions",
                before.model().positions(),
                config.model().positions());
        compare(
                changed,
                "model.tokenizer",
                before.model().tokenizer(),
                config.model().tokenizer());
        compare(changed, "data.source", before.data().source(), config.data().source());
        compare(
                changed,
                "learner.algorithm",
                before.learner().algorithm(),
                config.learner().algorithm());
        if (!changed.isEmpty()) {
            throw new IllegalArgumentException(
                    "--resume-from " + dir + ": " + String.join("; ", changed) + ": a resumed"
                            + " run keeps its model, data source and algorithm; resume with --config " + file
                            + " (with --set for what may change, e.g. job.max_steps), or start a new run");
        }
    }

    private static void compare(List<String> changed, String key, Object before, Object now) {
        if (!Objects.equals(before, now)) {
            changed.add(key + " is " + show(now) + " here but " + show(before) + " in the run being resumed");
        }
    }

    private static String show(Object value) {
        return value instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT) : String.valueOf(value);
    }

    private static List<String> entries(Path dir) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
