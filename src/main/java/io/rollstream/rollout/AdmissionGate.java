package io.rollstream.rollout;

/**
 * The admission budget of one generator subtask (pure arithmetic; the operator holds the counters
 * in state).
 *
 * <p>Each learner step (policy version) opens {@code problems_per_batch} group slots across all
 * generator subtasks; this subtask's share is its part of that number. A slot stays taken while
 * its group is in flight and after it completes, unless the group is going to be dropped by a
 * filter (zero advantage, difficulty, length): such a group gives its slot back, so filters can
 * never starve a batch. With the newest visible version {@code v}, a new group may start while
 *
 * <pre>  inFlight + useful &lt; (v + max_async_level + 1) × share</pre>
 *
 * i.e. at most {@code problems_per_batch} useful groups per step, never more than
 * {@code max_async_level} steps ahead of the newest policy.
 */
public record AdmissionGate(int problemsPerBatch, int maxAsyncLevel, int parallelism) implements java.io.Serializable {

    public AdmissionGate {
        if (problemsPerBatch < parallelism) {
            throw new IllegalArgumentException("problems_per_batch (" + problemsPerBatch
                    + ") must be >= rollout.parallelism (" + parallelism + ")");
        }
    }

    /** Slots per step owned by {@code subtask}; the shares add up to problems_per_batch. */
    public int share(int subtask) {
        return problemsPerBatch / parallelism + (subtask < problemsPerBatch % parallelism ? 1 : 0);
    }

    /** Slots available to {@code subtask} once version {@code newestVersion} is visible. */
    public long budget(int subtask, long newestVersion) {
        return (newestVersion + maxAsyncLevel + 1) * share(subtask);
    }

    /** Whether another group may start now. */
    public boolean admits(int subtask, long newestVersion, long inFlight, long useful) {
        return newestVersion >= 0 && inFlight + useful < budget(subtask, newestVersion);
    }
}
