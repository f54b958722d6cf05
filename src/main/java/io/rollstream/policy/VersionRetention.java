package io.rollstream.policy;

import java.io.Serializable;
import java.util.Collection;

/**
 * Which published policy versions the store keeps ({@code policy_store.keep_last},
 * {@code policy_store.keep_evaluated}, {@code policy_store.keep_best}); pure arithmetic, applied by
 * {@link PolicyCollector}.
 *
 * <p>A version is kept when any of these holds:
 * <ul>
 *   <li>it is version 0 (the launcher's warm start, which every fresh job starts from);
 *   <li>it is one of the newest {@code max(keepLast, maxOffPolicySteps + 1)} versions: generators
 *       may still be loading them, and a group of an older version is past the staleness bound;
 *   <li>it lies in {@code [p − maxOffPolicySteps, p]} for a pinned step {@code p} (the learner step
 *       of a retained checkpoint or savepoint): a job restored there re-generates its pending
 *       groups with the versions they were pinned to, and only those in that range can still be
 *       trained;
 *   <li>it is one of the newest {@code keepEvaluated} evaluated versions (a multiple of
 *       {@code keepEvery}, or the last step), so the eval command can re-measure the run's recent
 *       evaluations;
 *   <li>it is the best evaluated version so far ({@code best}, when {@code keepBest}).
 * </ul>
 * So the store holds at most {@code 1 + max(keepLast, maxOffPolicySteps + 1) + keepEvaluated + 1}
 * versions besides the pinned windows ({@code maxOffPolicySteps + 1} versions per retained
 * checkpoint and savepoint). {@code keepLast == 0} keeps everything.
 *
 * @param keepLast newest versions to keep, 0 to keep all
 * @param maxOffPolicySteps the run's {@code async.max_off_policy_steps}
 * @param keepEvery the evaluation interval: versions that are a multiple of it (and the last step)
 *     are evaluated; 0 when the run does not evaluate
 * @param lastStep the run's last version ({@code job.max_steps}), evaluated when {@code keepEvery > 0}
 * @param keepEvaluated newest evaluated versions to keep
 * @param keepBest keep the evaluated version with the best held-out accuracy
 */
public record VersionRetention(
        int keepLast, long maxOffPolicySteps, long keepEvery, long lastStep, int keepEvaluated, boolean keepBest)
        implements Serializable {

    /** Keeps every version. */
    public static final VersionRetention KEEP_ALL = new VersionRetention(0, 0, 0, 0, 0, false);

    /** {@code best} when no version has been evaluated. */
    public static final long NO_BEST = -1;

    public VersionRetention {
        if (keepLast < 0 || maxOffPolicySteps < 0 || keepEvery < 0 || keepEvaluated < 0) {
            throw new IllegalArgumentException("keepLast, maxOffPolicySteps, keepEvery and keepEvaluated must be >= 0");
        }
    }

    /**
     * Whether the store keeps {@code version} when {@code newest} is the newest published,
     * {@code pins} are pinned and {@code best} is the best evaluated version ({@link #NO_BEST} if none).
     */
    public boolean keeps(long version, long newest, Collection<Long> pins, long best) {
        if (keepLast == 0 || version == 0 || version > newest - Math.max(keepLast, maxOffPolicySteps + 1)) {
            return true;
        }
        if (isEvaluated(version) && evaluatedAfter(version, newest) < keepEvaluated) {
            return true;
        }
        if (keepBest && version == best) {
            return true;
        }
        for (long pin : pins) {
            if (version <= pin && version >= pin - maxOffPolicySteps) {
                return true;
            }
        }
        return false;
    }

    /** Whether the run's periodic held-out evaluation measures {@code version}. */
    public boolean isEvaluated(long version) {
        return keepEvery > 0 && version > 0 && (version % keepEvery == 0 || version == lastStep);
    }

    /** Evaluated versions in {@code (version, newest]}. */
    private long evaluatedAfter(long version, long newest) {
        long multiples = newest / keepEvery - version / keepEvery;
        boolean lastIsExtra = lastStep % keepEvery != 0 && lastStep > version && lastStep <= newest;
        return multiples + (lastIsExtra ? 1 : 0);
    }
}
