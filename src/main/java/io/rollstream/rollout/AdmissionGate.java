package io.rollstream.rollout;

import java.io.Serializable;

/**
 * The admission budget of one generator subtask (pure arithmetic; the scheduler holds the counts).
 *
 * <p>A learner step consumes {@code groupsPerBatch} groups (batch_size ÷ rollouts_per_example). With
 * the newest visible policy version {@code v}, generation may run {@code max_async_level} steps
 * ahead: the <em>window</em> is the useful groups that steps 0 … v + max_async_level need,
 * {@code (v + max_async_level + 1) × groupsPerBatch}, split among the subtasks ({@link #share}). A
 * group counts as <em>useful</em> once it has come back and the content filters keep it; a group the
 * filters drop gives its slot back, and so does a useful group that batch assembly later drops as
 * stale (the learner reports those drops with each version).
 *
 * <p>Oversampling is <em>headroom</em>, not extra output: {@code problems_per_batch − groupsPerBatch}
 * more groups may be in flight on top of the window, so that the replacements of groups the filters
 * drop are already being generated. With {@code useful} groups back and {@code inFlight} in flight,
 * a new group may start while
 *
 * <pre>  inFlight + useful &lt; window + headroom                          (fixed)
 *  inFlight + useful &lt; window + headroom  and  useful + Σ q &lt; window  (adaptive)</pre>
 *
 * where {@code q} is the probability that an in-flight group is useful ({@link PassRates}). Useful
 * groups therefore exceed the window by at most the headroom: a group that passes the filters after
 * its step's batch is full is carried into the next batch, at most {@code ceil(oversampling − 1)}
 * steps staler than {@code max_async_level} allows — which {@code max_off_policy_steps} must cover.
 *
 * @param groupsPerBatch groups one learner step consumes, at least {@code parallelism}
 * @param headroom extra groups in flight over all subtasks ({@code problems_per_batch − groupsPerBatch})
 * @param maxAsyncLevel steps generation may run ahead of the newest policy version
 * @param parallelism generator subtasks
 * @param oversampling fixed headroom, or adaptive up to it
 */
public record AdmissionGate(
        int groupsPerBatch, int headroom, int maxAsyncLevel, int parallelism, Oversampling oversampling)
        implements Serializable {

    public AdmissionGate {
        if (groupsPerBatch < parallelism) {
            throw new IllegalArgumentException("the groups of one batch (" + groupsPerBatch
                    + ") must be >= rollout.parallelism (" + parallelism + "), or a generator would idle");
        }
        if (headroom < 0 || maxAsyncLevel < 0 || oversampling == null) {
            throw new IllegalArgumentException("headroom " + headroom + " and max_async_level " + maxAsyncLevel
                    + " must be >= 0, and the oversampling mode set");
        }
    }

    /**
     * The gate of {@code problemsPerBatch = int(oversampling_factor × batch_size ÷ rollouts_per_example)}
     * problems in flight per batch of {@code groupsPerBatch} groups.
     */
    public static AdmissionGate of(
            int problemsPerBatch, int groupsPerBatch, int maxAsyncLevel, int parallelism, Oversampling oversampling) {
        return new AdmissionGate(
                groupsPerBatch,
                Math.max(0, problemsPerBatch - groupsPerBatch),
                maxAsyncLevel,
                parallelism,
                oversampling);
    }

    /** Groups per step owned by {@code subtask}; the shares add up to groupsPerBatch. */
    public int share(int subtask) {
        return split(groupsPerBatch, subtask);
    }

    /** Headroom owned by {@code subtask}; the shares add up to the headroom. */
    public int headroomShare(int subtask) {
        return split(headroom, subtask);
    }

    private int split(int total, int subtask) {
        return total / parallelism + (subtask < total % parallelism ? 1 : 0);
    }

    /** Useful groups {@code subtask} may have produced once version {@code newestVersion} is visible. */
    public long window(int subtask, long newestVersion) {
        return (newestVersion + maxAsyncLevel + 1) * share(subtask);
    }

    /**
     * Whether another group of {@code subtask} may start now.
     *
     * @param newestVersion newest visible policy version (-1: none yet, nothing starts)
     * @param inFlight groups admitted and not yet back
     * @param useful useful groups back so far, less the stale drops reported for this subtask
     * @param expectedUseful the sum of the in-flight groups' chances of being useful (adaptive only)
     */
    public boolean admits(int subtask, long newestVersion, long inFlight, double useful, double expectedUseful) {
        if (newestVersion < 0) {
            return false;
        }
        long window = window(subtask, newestVersion);
        boolean withinHeadroom = inFlight + useful < window + headroomShare(subtask);
        return oversampling == Oversampling.FIXED ? withinHeadroom : withinHeadroom && useful + expectedUseful < window;
    }

    /**
     * Problems {@code subtask} may hold waiting for admission before its input blocks: twice what its
     * gate can have in flight, so checkpoint barriers seldom wait behind the gate.
     */
    public int queueCapacity(int subtask) {
        return Math.max(8, 2 * ((maxAsyncLevel + 1) * share(subtask) + headroomShare(subtask)));
    }

    /** Synchronous mode: generation never runs ahead of the learner. */
    public boolean synchronous() {
        return maxAsyncLevel == 0;
    }
}
