package io.rollstream.job;

import io.rollstream.config.RunConfig;
import io.rollstream.policy.PolicyStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@code --resume-from} continues. A run directory continues where its run was: from its
 * newest complete checkpoint or savepoint when it has one ({@link Phase#RESTORE}); the RL job from
 * its beginning when the warm start is done (policy version 0 is published) but no checkpoint had
 * completed ({@link Phase#RL_START}); otherwise the making of the initial policy, continuing the
 * SFT warm start from its saved state ({@link Phase#INITIAL}). A checkpoint or savepoint path is
 * restored as it is.
 *
 * @param phase where the run continues
 * @param restorePath the checkpoint or savepoint Flink restores ({@link Phase#RESTORE}), else null
 */
public record ResumePlan(Phase phase, String restorePath) {

    /** Where a resumed run continues. */
    public enum Phase {
        /** The initial policy is not published yet: the SFT warm start continues from its saved state. */
        INITIAL,
        /** The RL job starts over: the warm start is done, but no checkpoint of the job had completed. */
        RL_START,
        /** The RL job restores a checkpoint or savepoint. */
        RESTORE
    }

    /** A restore of a checkpoint or savepoint path (as {@link ResumePoint#resolve} gives it). */
    public static ResumePlan restore(String restorePath) {
        return new ResumePlan(Phase.RESTORE, restorePath);
    }

    /**
     * The plan for {@code --resume-from given} with {@code config} (its {@code job.checkpoint_dir}
     * and {@code policy_store.path}).
     *
     * @throws IllegalArgumentException when {@code given} is neither a run directory nor a restorable path
     */
    public static ResumePlan resolve(String given, RunConfig config) throws IOException {
        Path local = ResumePoint.localPath(given);
        if (local == null || !Files.isRegularFile(local.resolve("config.yaml"))) {
            return restore(ResumePoint.resolve(given, config.job().checkpointDir()));
        }
        Optional<String> point = ResumePoint.newest(local, config.job().checkpointDir());
        if (point.isPresent()) {
            return restore(point.get());
        }
        PolicyStore store = new PolicyStore(
                RunPaths.under(local, config.policyStore().path()).policyStore());
        return new ResumePlan(store.isVisible(0) ? Phase.RL_START : Phase.INITIAL, null);
    }

    /** How the plan reads in the console and in {@code events.jsonl}. */
    String describe() {
        return switch (phase) {
            case INITIAL -> "the SFT warm start, from its saved state";
            case RL_START -> "the start of RL (the warm start is done; no checkpoint of the job had completed)";
            case RESTORE -> restorePath;
        };
    }
}
