package io.rollstream.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Turns what a user gives to {@code --resume-from} into a path Flink restores from: a retained
 * checkpoint ({@code .../chk-N}) or a savepoint directory as it is, a {@code _metadata} file as
 * its directory, and a run directory (or a checkpoint directory) as its newest complete retained
 * checkpoint or savepoint — complete meaning its {@code _metadata} exists, which Flink writes last.
 * Paths of other file systems ({@code s3://…}) are passed on unchanged.
 */
public final class ResumePoint {

    private static final String METADATA = "_metadata";

    private ResumePoint() {}

    /**
     * @param given the user's path
     * @param checkpointDir {@code job.checkpoint_dir} (path or URI, or null): when it is local, it is
     *     searched too when {@code given} is a run directory
     */
    public static String resolve(String given, String checkpointDir) {
        Path path = localPath(given);
        if (path == null) {
            return given;
        }
        Path extraCheckpointDir = checkpointDir == null ? null : localPath(checkpointDir);
        if (Files.isRegularFile(path) && path.getFileName().toString().equals(METADATA)) {
            return path.getParent().toString();
        }
        if (!Files.isDirectory(path)) {
            throw new IllegalArgumentException(
                    "--resume-from " + given + ": no such checkpoint, savepoint or run directory");
        }
        if (Files.isRegularFile(path.resolve(METADATA))) {
            return path.toString();
        }
        return newest(path, extraCheckpointDir)
                .orElseThrow(() -> new IllegalArgumentException("--resume-from " + given
                        + ": found no complete checkpoint or savepoint (a directory with a " + METADATA
                        + " file) under it; give a run directory, a chk-N directory or a savepoint"));
    }

    /**
     * The newest complete checkpoint or savepoint under the local directory {@code dir} (a run
     * directory) or under {@code checkpointDir} ({@code job.checkpoint_dir}, when local), if any.
     */
    static Optional<String> newest(Path dir, String checkpointDir) {
        return newest(dir, checkpointDir == null ? null : localPath(checkpointDir));
    }

    private static Optional<String> newest(Path dir, Path extraCheckpointDir) {
        Optional<Path> newest = newestUnder(dir);
        if (extraCheckpointDir != null && Files.isDirectory(extraCheckpointDir)) {
            Optional<Path> extra = newestUnder(extraCheckpointDir);
            if (extra.isPresent()
                    && (newest.isEmpty() || modified(extra.get()).compareTo(modified(newest.get())) > 0)) {
                newest = extra;
            }
        }
        return newest.map(m -> m.getParent().toString());
    }

    /** The run directory that holds {@code resolved}, if it lies inside one (has config.yaml). */
    public static Optional<Path> runDirOf(String resolved) {
        Path local = localPath(resolved);
        for (Path p = local; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("config.yaml"))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** A plain path or {@code file:} URI as an absolute local path; null for other file systems. */
    static Path localPath(String pathOrUri) {
        if (pathOrUri.startsWith("file:")) {
            return Path.of(URI.create(pathOrUri).getPath()).toAbsolutePath();
        }
        return pathOrUri.contains("://") ? null : Path.of(pathOrUri).toAbsolutePath();
    }

    /** The newest {@code _metadata} at most three levels down (run/checkpoints/job/chk-N/_metadata). */
    private static Optional<Path> newestUnder(Path dir) {
        try (Stream<Path> files = Files.walk(dir, 4)) {
            return files.filter(f -> f.getFileName().toString().equals(METADATA) && Files.isRegularFile(f))
                    .max(Comparator.comparing(ResumePoint::modified));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot search " + dir + " for checkpoints", e);
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
