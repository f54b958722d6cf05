package io.rollstream.config;

import java.nio.file.Path;

/**
 * The {@code policy_store} section: where the learner publishes policy weights for the generators,
 * and which old versions it deletes (see {@link io.rollstream.policy.VersionRetention}).
 *
 * @param path directory of published policies; null for {@code <run_dir>/policy}; default null
 * @param keepLast newest versions to keep, 0 to keep all, at least 0; default 8. Versions that a
 *     generator or a retained checkpoint or savepoint may still need are kept whatever this says.
 * @param keepEvaluated also keep every version the periodic held-out eval measured (so
 *     {@code rollstream eval} can re-measure it); default true
 */
public record PolicyStoreSection(String path, int keepLast, boolean keepEvaluated) {

    /** Every key at its default. */
    public static PolicyStoreSection defaults() {
        return new PolicyStoreSection(null, 8, true);
    }

    public PolicyStoreSection {
        ConfigErrors e = new ConfigErrors();
        e.check(path == null || !path.isBlank(), "policy_store.path", path,
                "must be a directory, or null for <run_dir>/policy");
        e.check(keepLast >= 0, "policy_store.keep_last", keepLast, "must be >= 0 (0 = keep all)");
        e.throwIfAny();
    }

    /** The store's directory for a run in {@code runDir}. */
    public Path directory(Path runDir) {
        return path == null ? runDir.resolve("policy") : Path.of(path);
    }

    static PolicyStoreSection read(SectionReader in) {
        PolicyStoreSection d = defaults();
        return new PolicyStoreSection(
                in.optionalString("path", d.path()),
                in.integer("keep_last", d.keepLast()),
                in.bool("keep_evaluated", d.keepEvaluated()));
    }
}
