package io.rollstream.config;

import io.rollstream.config.SectionReader.Custom;
import java.nio.file.Path;

/**
 * The {@code policy_store} section: where the learner publishes policy weights for the generators,
 * and which old versions it deletes (see {@link io.rollstream.policy.VersionRetention}). The
 * defaults bound the store: version 0, the newest 8, the newest 3 evaluated and the best evaluated
 * version, plus what retained checkpoints and savepoints pin.
 *
 * @param path directory of published policies; null for {@code <run_dir>/policy}; default null
 * @param keepLast newest versions to keep, 0 to keep all, at least 0; default 8. Versions that a
 *     generator or a retained checkpoint or savepoint may still need are kept whatever this says.
 * @param keepEvaluated also keep the newest this many versions the periodic held-out eval measured
 *     (so {@code rollstream eval} can re-measure them), at least 0; default 3. Configs written
 *     before it was a count say {@code true} (every evaluated version: no bound) or {@code false} (0).
 * @param keepBest also keep the evaluated version with the best held-out accuracy; default true
 */
public record PolicyStoreSection(String path, int keepLast, int keepEvaluated, boolean keepBest) {

    /** {@code keep_evaluated: true} in a config written before it was a count: every evaluated version. */
    static final int EVERY_EVALUATED = Integer.MAX_VALUE;

    /** Every key at its default. */
    public static PolicyStoreSection defaults() {
        return new PolicyStoreSection(null, 8, 3, true);
    }

    public PolicyStoreSection {
        ConfigErrors e = new ConfigErrors();
        e.check(
                path == null || !path.isBlank(),
                "policy_store.path",
                path,
                "must be a directory, or null for <run_dir>/policy");
        e.check(keepLast >= 0, "policy_store.keep_last", keepLast, "must be >= 0 (0 = keep all)");
        e.check(
                keepEvaluated >= 0,
                "policy_store.keep_evaluated",
                keepEvaluated,
                "must be >= 0 (the newest evaluated versions to keep)");
        e.throwIfAny();
    }

    /** The store's directory for a run in {@code runDir}. */
    public Path directory(Path runDir) {
        return path == null ? runDir.resolve("policy") : Path.of(path);
    }

    /** The section, {@code keep_evaluated} read as a count or an older flag. */
    static PolicyStoreSection read(SectionReader in) {
        return in.bind(
                PolicyStoreSection.class,
                defaults(),
                Custom.of(
                        "keepEvaluated",
                        c -> c.countOrFlag("keep_evaluated", defaults().keepEvaluated(), EVERY_EVALUATED)));
    }
}
