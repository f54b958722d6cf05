package io.rollstream.policy;

import java.io.Serializable;
import java.util.Collection;

/**
 * Which published policy versions the store keeps ({@code policy_store.keep_last},
 * {@code policy_store.keep_evaluated}); pure arithmetic, applied by {@link PolicyCollector}.
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
 *   <li>it was evaluated ({@code keepEvery > 0} and a multiple of it, or the last step), so the
 *       eval command can reproduce the run's periodic evaluation.
 * </ul>
 * {@code keepLast == 0} keeps everything.
 *
 * @param keepLast newest versions to keep, 0 to keep all
 * @param maxOffPolicySteps the run's {@code async.max_off_policy_steps}
 * @param keepEvery keep every version that is a multiple of this (the eval interval), 0 for none
 * @param lastStep the run's last version ({@code job.max_steps}), kept with {@code keepEvery}
 */
public record VersionRetention(int keepLast, long maxOffPolicySteps, long keepEvery, long lastStep)
        implements Serializable {

    /** Keeps every version. */
    public static final VersionRetention KEEP_ALL = new VersionRetention(0, 0, 0, 0);

    public VersionRetention {
        if (keepLast < 0 || maxOffPolicySteps < 0 || keepEvery < 0) {
            throw new IllegalArgumentException("keepLast, maxOffPolicySteps and keepEvery must be >= 0");
        }
    }

    /** Whether the store keeps {@code version} when {@code newest} is the newest published and {@code pins} are pinned. */
    public boolean keeps(long version, long newest, Collection<Long> pins) {
        if (keepLast == 0 || version == 0 || version > newest - Math.max(keepLast, maxOffPolicySteps + 1)) {
            return true;
        }
        if (keepEvery > 0 && (version % keepEvery == 0 || version == lastStep)) {
            return true;
        }
        for (long pin : pins) {
            if (version <= pin && version >= pin - maxOffPolicySteps) {
                return true;
            }
        }
        return false;
    }
}
