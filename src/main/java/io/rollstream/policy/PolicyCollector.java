package io.rollstream.policy;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Garbage-collects policy versions for the learner, the store's only writer (plain Java; the
 * learner operator calls it and keeps {@link Pins} in its state).
 *
 * <p>It tracks the best evaluated version ({@link #evaluated}) and the learner steps that restores
 * may come back to — the pins: every savepoint of the run, every retained checkpoint of an earlier
 * job, and the newest {@code retainedCheckpoints} completed checkpoints of this job (older ones
 * Flink has subsumed and deleted) — and after each publication, evaluation and completed
 * checkpoint deletes the versions {@link VersionRetention} no longer keeps. A checkpoint's own pin is in the state it snapshots, so a restored job knows it.
 *
 * <p>Restores continue the current lineage: after a resume from an older point the versions of
 * the abandoned newer history are rewritten or deleted, so points of that history cannot be
 * resumed exactly.
 */
public final class PolicyCollector {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyCollector.class);

    /**
     * The pins as they go into a checkpoint, with the best evaluated version.
     *
     * @param job the job whose checkpoints {@code checkpoints} are (subsumed as it completes more)
     * @param permanent steps that stay pinned for the rest of the run (savepoints, earlier jobs' checkpoints)
     * @param checkpoints steps of this job's newest checkpoints, oldest first
     * @param best the evaluated version with the best held-out accuracy so far, or null (none yet, or a
     *     checkpoint written before it was recorded)
     */
    public record Pins(String job, List<Long> permanent, List<Long> checkpoints, Evaluation best) {

        public static final Pins NONE = new Pins("", List.of(), List.of(), null);
    }

    /** A version's held-out accuracy. */
    public record Evaluation(long version, double accuracy) {}

    private final PolicyStore store;
    private final VersionRetention retention;
    private final int retainedCheckpoints;
    private final String job;
    private final TreeSet<Long> permanent = new TreeSet<>();
    private final Deque<Long> checkpoints = new ArrayDeque<>();
    /** Snapshots taken and not yet completed or aborted: checkpoint id → (step, savepoint). */
    private final TreeMap<Long, long[]> inProgress = new TreeMap<>();

    private final TreeSet<Long> known = new TreeSet<>();
    private long newest = -1;
    private Evaluation best;

    /**
     * @param retainedCheckpoints completed checkpoints Flink keeps ({@code execution.checkpointing.num-retained})
     * @param job this job's id
     */
    public PolicyCollector(PolicyStore store, VersionRetention retention, int retainedCheckpoints, String job) {
        this.store = store;
        this.retention = retention;
        this.retainedCheckpoints = Math.max(1, retainedCheckpoints);
        this.job = job;
    }

    /**
     * Starts from restored pins (or {@link Pins#NONE}): pins of another job's checkpoints become
     * permanent, since that job's retained checkpoints stay on disk. Then deletes what the store no
     * longer needs — including versions newer than {@code restoredStep}, which a fenced-off
     * attempt wrote.
     */
    public void start(Pins restored, long restoredStep) throws IOException {
        best = restored.best();
        permanent.addAll(restored.permanent());
        if (restored.job().equals(job)) {
            checkpoints.addAll(restored.checkpoints()); // a failover: Flink still retains them
        } else {
            permanent.addAll(restored.checkpoints());
        }
        known.addAll(store.versions());
        for (Long stale : new ArrayList<>(known.tailSet(restoredStep, false))) {
            store.delete(stale);
            known.remove(stale);
        }
        published(restoredStep);
    }

    /** The learner published {@code version}: older versions it no longer keeps go. */
    public void published(long version) throws IOException {
        known.add(version);
        newest = Math.max(newest, version);
        collect();
    }

    /**
     * The periodic evaluation measured {@code version}: the best one so far (the earliest on ties)
     * is kept; one it displaces goes unless kept for another reason.
     */
    public void evaluated(long version, double accuracy) throws IOException {
        if (Double.isNaN(accuracy) || (best != null && accuracy <= best.accuracy())) {
            return;
        }
        best = new Evaluation(version, accuracy);
        collect();
    }

    /** The best evaluated version so far, or null. */
    public Evaluation best() {
        return best;
    }

    /** A snapshot at learner step {@code step}: the pins to put into it (its own step included). */
    public Pins snapshot(long checkpointId, long step, boolean savepoint) {
        inProgress.put(checkpointId, new long[] {step, savepoint ? 1 : 0});
        List<Long> own = new ArrayList<>(checkpoints);
        inProgress.values().forEach(s -> own.add(s[0]));
        return new Pins(job, List.copyOf(permanent), own, best);
    }

    /** Checkpoint {@code checkpointId} completed: it subsumes older checkpoints (savepoints stay pinned). */
    public void completed(long checkpointId) throws IOException {
        long[] done = inProgress.get(checkpointId);
        inProgress.headMap(checkpointId, true).clear(); // older ones were aborted or subsumed
        if (done == null) {
            return;
        }
        if (done[1] == 1) {
            permanent.add(done[0]);
        } else {
            checkpoints.addLast(done[0]);
            while (checkpoints.size() > retainedCheckpoints) {
                checkpoints.removeFirst();
            }
        }
        collect();
    }

    /** Checkpoint {@code checkpointId} was aborted: its pin goes. */
    public void aborted(long checkpointId) {
        inProgress.remove(checkpointId);
    }

    /** Every pinned step (tests and logs). */
    public Set<Long> pins() {
        TreeSet<Long> all = new TreeSet<>(permanent);
        all.addAll(checkpoints);
        inProgress.values().forEach(s -> all.add(s[0]));
        return all;
    }

    private void collect() throws IOException {
        if (retention.keepLast() == 0) {
            return;
        }
        Set<Long> pins = pins();
        long bestVersion = best != null ? best.version() : VersionRetention.NO_BEST;
        List<Long> deleted = new ArrayList<>();
        for (Long version : known.headSet(newest, false)) {
            if (!retention.keeps(version, newest, pins, bestVersion)) {
                deleted.add(version);
            }
        }
        for (Long version : deleted) {
            store.delete(version);
            known.remove(version);
        }
        if (!deleted.isEmpty() && LOG.isDebugEnabled()) {
            LOG.debug("deleted policy versions {} (newest {}, pinned steps {})", deleted, newest, pins);
        }
    }
}
