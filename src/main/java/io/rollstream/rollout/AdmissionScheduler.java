package io.rollstream.rollout;

import io.rollstream.rollout.DifficultyPools.Pool;
import io.rollstream.tasks.Problem;
import io.rollstream.types.GroupVerdict;
import io.rollstream.types.PoolCounts;
import io.rollstream.types.ScoredGroup;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The admission decisions of one rollout subtask, in plain Java (the operator is a thin shell that
 * feeds it Flink's events; unit tests drive it directly). It owns:
 *
 * <ul>
 *   <li>the <em>queue</em> of problems waiting for admission, in arrival order. It is bounded
 *       ({@link #inputBlocked()}: the operator stops reading input while it is full) except while a
 *       stop is under way, when everything that arrives before the savepoint barrier goes in so the
 *       barrier is not held up by the gate. The problems themselves live in the {@link ProblemStore}
 *       (keyed state), so a checkpoint holds every problem the stage has taken, and a restored job
 *       admits them first, in order;
 *   <li>the gate ({@link AdmissionGate}): groups in flight, useful groups back, the newest policy
 *       version, and in adaptive mode each in-flight group's chance of being useful
 *       ({@link PassRates});
 *   <li>the difficulty pools: a problem is admitted only from the normal pool (or before its first
 *       group), and never while a group of it is in flight — the head of the queue then waits, so
 *       its pool is decided first and no admission is lost;
 *   <li>synchronous mode ({@code max_async_level: 0}): admitted groups go to the generator as one
 *       <em>wave</em> when the gate closes (or the head of the queue must wait for its own group, or
 *       the input ends or stays idle for a policy poll), so which groups share a forward pass follows
 *       the data rather than timing (exact resume, docs/invariants.md invariant 6);
 *   <li>the per-problem state's lifetime: when problems cannot come back (fresh problems, a data set
 *       read once) a problem's state is cleared as soon as its group is back, so the keyed state of
 *       an endless run stays bounded by what is queued and in flight.
 * </ul>
 *
 * <p>A group's policy version is not chosen here: the generation thread pins the newest version it
 * has when the group's pass starts ({@link GroupRequest#pinnedTo}), which is never older than the
 * version the gate admitted it under.
 *
 * <p>Not thread-safe: called from the task thread only.
 */
public final class AdmissionScheduler {

    private final AdmissionGate gate;
    private final int subtask;
    private final DifficultyPools pools;
    private final GroupJudge judge;
    private final boolean problemsRecur;
    private final ProblemStore store;
    private final Dispatch dispatch;
    private final PassRates passRates;

    private long inFlight;
    private long useful;
    private double staleReturned;
    private long staleSeen;
    private double expectedInFlight;
    private long nextSequence;
    private long newestVersion = -1;
    private boolean finished;
    private boolean stopping;
    private long receivedSincePoll;
    private final TreeSet<Waiting> queue = new TreeSet<>();
    /** Synchronous mode: admitted requests not yet handed to the generator. */
    private final List<GroupRequest> wave = new ArrayList<>();
    /** Restored pending requests, held until a policy version is visible (a pass needs one to pin). */
    private final List<GroupRequest> held = new ArrayList<>();

    private final long[] poolCounts = new long[Pool.values().length];
    private final long[] cleared = new long[Pool.values().length];

    /** A problem in the queue: its arrival sequence and key (ties after a rescale go by key). */
    private record Waiting(long sequence, String problemId) implements Comparable<Waiting> {
        @Override
        public int compareTo(Waiting o) {
            int bySequence = Long.compare(sequence, o.sequence);
            return bySequence != 0 ? bySequence : problemId.compareTo(o.problemId);
        }
    }

    /**
     * What a policy poll found.
     *
     * @param newestVersion the newest version this attempt may use (-1: none yet)
     * @param groupsDroppedStale the run's stale drops recorded in that version's manifest
     * @param finished the learner has done its last step
     * @param stopping a stop with a savepoint is under way
     */
    public record Poll(long newestVersion, long groupsDroppedStale, boolean finished, boolean stopping) {}

    /**
     * @param settings gate, pools, filters, whether problems can come back
     * @param subtask this generator subtask
     * @param restored this subtask's counts from a checkpoint ({@link #restoredCounts}), or null
     * @param store the per-problem state
     * @param dispatch the generation thread
     */
    public AdmissionScheduler(
            RolloutSettings settings, int subtask, GateState restored, ProblemStore store, Dispatch dispatch) {
        this.gate = settings.gate();
        this.subtask = subtask;
        this.pools = settings.pools();
        this.judge = settings.judge();
        this.problemsRecur = settings.problemsRecur();
        this.store = store;
        this.dispatch = dispatch;
        this.passRates = new PassRates(settings.groupSize(), restored != null ? restored.passRates() : null);
        if (restored != null) {
            useful = restored.useful();
            staleReturned = restored.staleReturned();
            staleSeen = restored.staleSeen();
            nextSequence = restored.nextSequence();
            cleared[Pool.EASY.ordinal()] = restored.clearedEasy();
            cleared[Pool.NORMAL.ordinal()] = restored.clearedNormal();
            cleared[Pool.HARD.ordinal()] = restored.clearedHard();
        }
    }

    /**
     * A subtask's counts from the checkpointed states of every subtask: its own when the parallelism
     * is unchanged, otherwise its share of the totals (useful groups and pass-rate averages by its
     * share of the window; cleared pool counts to subtask 0, so their sum stays right). Null when
     * nothing was restored.
     */
    public static GateState restoredCounts(List<GateState> states, AdmissionGate gate, int subtask) {
        if (states.isEmpty()) {
            return null;
        }
        long useful = 0;
        double returned = 0;
        long staleSeen = Long.MAX_VALUE;
        long next = 0;
        long easy = 0;
        long normal = 0;
        long hard = 0;
        long groups = 0;
        double mean = 0;
        double meanSquare = 0;
        for (GateState s : states) {
            if (s.subtask() == subtask && s.parallelism() == gate.parallelism()) {
                return s;
            }
            useful += s.useful();
            returned += s.staleReturned();
            staleSeen = Math.min(staleSeen, s.staleSeen()); // give back too much rather than too little
            next = Math.max(next, s.nextSequence());
            easy += s.clearedEasy();
            normal += s.clearedNormal();
            hard += s.clearedHard();
            if (s.passRates() != null) {
                groups += s.passRates().groups();
                mean += s.passRates().mean() * s.passRates().groups();
                meanSquare += s.passRates().meanSquare() * s.passRates().groups();
            }
        }
        double share = (double) gate.share(subtask) / gate.groupsPerBatch();
        boolean first = subtask == 0;
        PassRates.Stats rates = groups == 0
                ? null
                : new PassRates.Stats(Math.round(groups * share), mean / groups, meanSquare / groups);
        return new GateState(
                subtask,
                gate.parallelism(),
                Math.round(useful * share),
                returned * share,
                staleSeen,
                next,
                first ? easy : 0,
                first ? normal : 0,
                first ? hard : 0,
                rates,
                states.get(0).jobId());
    }

    // ---------------------------------------------------------------- restore

    /**
     * Counts the pools of the problems whose state survived (plus those cleared before), first
     * putting {@code readmission}'s share of the easy and hard ones back into the normal pool when
     * the state comes from another job (a resume).
     *
     * @return how many problems were re-admitted
     */
    public int restorePools(Map<String, Pool> kept, ReAdmission readmission, boolean resumed) throws Exception {
        int readmitted = 0;
        if (resumed) {
            for (String problemId : readmission.select(kept)) {
                store.setState(problemId, store.state(problemId).withPool(Pool.NORMAL));
                kept.put(problemId, Pool.NORMAL);
                readmitted++;
            }
        }
        System.arraycopy(cleared, 0, poolCounts, 0, cleared.length);
        kept.values().forEach(p -> poolCounts[p.ordinal()]++);
        poolCounts[Pool.NONE.ordinal()] = 0;
        return readmitted;
    }

    /** A problem that was waiting for admission when the checkpoint was taken. */
    public void restoreWaiting(long sequence, String problemId) {
        queue.add(new Waiting(sequence, problemId));
        nextSequence = Math.max(nextSequence, sequence + 1);
    }

    /** Groups that were in flight when the checkpoint was taken: generated again, in arrival order. */
    public void restorePending(List<GroupRequest> pending) {
        List<GroupRequest> ordered = new ArrayList<>(pending);
        ordered.sort(Comparator.comparingLong(GroupRequest::sequence));
        for (GroupRequest r : ordered) {
            nextSequence = Math.max(nextSequence, r.sequence() + 1);
            inFlight++;
            expectedInFlight += r.usefulChance();
            held.add(r.pinnedTo(-1));
        }
    }

    // ---------------------------------------------------------------- events

    /** A problem arrived: it joins the queue (after the learner finished it is dropped: the run is over). */
    public void offer(Problem problem) throws Exception {
        receivedSincePoll++;
        if (finished) {
            return;
        }
        long sequence = nextSequence++;
        store.putWaiting(problem.id(), sequence, problem);
        queue.add(new Waiting(sequence, problem.id()));
        admitQueued();
    }

    /** Whether the operator must stop reading input: the queue is full (a stop or the end lifts the bound). */
    public boolean inputBlocked() {
        return !finished && !stopping && queue.size() >= gate.queueCapacity(subtask);
    }

    /**
     * The groups of a generation pass came back: each problem's pool and evidence are updated (or
     * its state cleared when it cannot come back), each group's slot is given back unless it is
     * useful, and then — once for the whole pass, so that in synchronous mode the freed slots make
     * one wave rather than a wave per group — more problems are admitted if the gate opened.
     *
     * @return the scored groups, with this subtask, its pool counts and their verdict, to emit, in the same order
     */
    public List<ScoredGroup> complete(List<SampledGroup> groups) throws Exception {
        List<ScoredGroup> stamped = new ArrayList<>(groups.size());
        for (SampledGroup group : groups) {
            stamped.add(completeOne(group));
        }
        admitQueued();
        return stamped;
    }

    private ScoredGroup completeOne(SampledGroup sampled) throws Exception {
        Problem problem = sampled.request().problem();
        String id = problem.id();
        GroupRequest request = store.pending(id);
        store.setPending(id, null);
        inFlight--;
        expectedInFlight -= request != null ? request.usefulChance() : 1;
        ProblemState state = store.state(id);
        state = state != null ? state : ProblemState.NEW;
        Pool before = state.pool();
        Pool after = pools.classify(ScoredGroup.meanReward(sampled.rollouts()));
        poolCounts[before.ordinal()] -= before == Pool.NONE ? 0 : 1;
        poolCounts[after.ordinal()]++;
        GroupVerdict verdict = judge.judge(sampled.rollouts());
        long admission = sampled.request().admission();
        ScoredGroup group = new ScoredGroup(
                ScoredGroup.groupId(id, admission),
                id,
                problem.task(),
                problem.prompt(),
                problem.answer(),
                sampled.promptTokens(),
                admission,
                sampled.policyVersion(),
                subtask,
                poolCounts(),
                sampled.generationMillis(),
                sampled.rollouts(),
                verdict);
        passRates.observe(group);
        if (problemsRecur || hasWaiting(id)) {
            store.setState(id, state.withPool(after).with(state.evidence().plus(group)));
        } else {
            store.clear(id);
            cleared[after.ordinal()]++;
        }
        if (verdict == null || verdict.dropped() == null) {
            useful++;
        }
        return group;
    }

    /** A policy poll: new versions open the gate, reported stale drops give slots back. */
    public void polled(Poll poll) throws Exception {
        if (poll.newestVersion() > newestVersion) {
            newestVersion = poll.newestVersion();
        }
        if (poll.groupsDroppedStale() > staleSeen) {
            // A useful group dropped as stale will never be trained: its slot comes back (this
            // subtask's share of them; the manifest counts the run's drops).
            staleReturned +=
                    (double) (poll.groupsDroppedStale() - staleSeen) * gate.share(subtask) / gate.groupsPerBatch();
            staleSeen = poll.groupsDroppedStale();
        }
        finished = poll.finished();
        stopping = poll.stopping();
        if (newestVersion >= 0 && !held.isEmpty()) {
            held.forEach(this::handOver);
            held.clear();
        }
        boolean idle = receivedSincePoll == 0 && queue.isEmpty();
        receivedSincePoll = 0;
        if (gate.synchronous() && (finished || idle || !gateOpen())) {
            flushWave(); // a restored wave that was complete, one the input will not fill soon, or the rest
        }
        admitQueued();
    }

    /** The input ended: what waits in the wave goes to the generator. */
    public void endOfInput() {
        flushWave();
    }

    /** Whether nothing is left to do at the end of input (a stop or the end of training keeps the queue). */
    public boolean drained() {
        return inFlight == 0 && (queue.isEmpty() || finished || stopping);
    }

    // ---------------------------------------------------------------- admission

    /** Admits queued problems, oldest first, while the gate lets them through. */
    private void admitQueued() throws Exception {
        while (!finished && !queue.isEmpty()) {
            Waiting head = queue.first();
            if (store.pending(head.problemId()) != null) {
                flushWave(); // its previous group may be waiting in the wave
                break; // that group's pool is decided first; it comes back through complete()
            }
            if (!gateOpen()) {
                break;
            }
            queue.pollFirst();
            Problem problem = store.takeWaiting(head.problemId(), head.sequence());
            ProblemState state = store.state(head.problemId());
            state = state != null ? state : ProblemState.NEW;
            if (DifficultyPools.admits(state.pool())) {
                admit(problem, head.sequence(), state);
            }
        }
        if (gate.synchronous() && !gateOpen()) {
            flushWave(); // the gate is closed: the wave is complete
        }
    }

    private void admit(Problem problem, long sequence, ProblemState state) throws Exception {
        double chance = gate.oversampling() == Oversampling.ADAPTIVE ? passRates.usefulChance(state.evidence()) : 1;
        GroupRequest request = GroupRequest.admitted(problem, state.admissions(), sequence, chance);
        store.setState(problem.id(), state.admittedOnce());
        store.setPending(problem.id(), request);
        inFlight++;
        expectedInFlight += chance;
        handOver(request);
    }

    private boolean gateOpen() {
        return gate.admits(subtask, newestVersion, inFlight, usefulNet(), expectedInFlight);
    }

    /** Useful groups back, less the slots given back for stale drops. */
    private double usefulNet() {
        return useful - staleReturned;
    }

    private void handOver(GroupRequest request) {
        if (newestVersion < 0) {
            held.add(request);
        } else if (gate.synchronous()) {
            wave.add(request);
        } else {
            dispatch.submit(request);
        }
    }

    private void flushWave() {
        if (!wave.isEmpty() && newestVersion >= 0) {
            dispatch.submitWave(List.copyOf(wave));
            wave.clear();
        }
    }

    private boolean hasWaiting(String problemId) {
        for (Waiting w : queue) {
            if (w.problemId().equals(problemId)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- views

    /** This subtask's counts, for the checkpoint ({@code jobId} names the job writing it). */
    public GateState snapshot(String jobId) {
        return new GateState(
                subtask,
                gate.parallelism(),
                useful,
                staleReturned,
                staleSeen,
                nextSequence,
                cleared[Pool.EASY.ordinal()],
                cleared[Pool.NORMAL.ordinal()],
                cleared[Pool.HARD.ordinal()],
                passRates.snapshot(),
                jobId);
    }

    /** Problems per difficulty pool that this subtask classified (kept or cleared). */
    public PoolCounts poolCounts() {
        return new PoolCounts(
                poolCounts[Pool.EASY.ordinal()], poolCounts[Pool.NORMAL.ordinal()], poolCounts[Pool.HARD.ordinal()]);
    }

    public long inFlight() {
        return inFlight;
    }

    /** Problems waiting for admission. */
    public int queued() {
        return queue.size();
    }

    /** Useful groups back, net of stale drops given back. */
    public double useful() {
        return usefulNet();
    }

    /** The in-flight groups' summed chances of being useful (their count unless adaptive). */
    public double expectedUsefulInFlight() {
        return expectedInFlight;
    }

    public long newestVersion() {
        return newestVersion;
    }
}
