package io.rollstream.rollout;

import io.rollstream.metrics.RolloutMetrics;
import io.rollstream.common.FailureInjection;
import io.rollstream.device.DeviceSelection;
import io.rollstream.policy.AttemptId;
import io.rollstream.policy.PolicyManifest;
import io.rollstream.policy.PolicyStore;
import io.rollstream.rollout.DifficultyPools.Pool;
import io.rollstream.tasks.Problem;
import io.rollstream.types.InvalidRecord;
import io.rollstream.types.PoolCounts;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;

import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The rollout stage, keyed by problem id. For each arriving problem it checks the problem's
 * difficulty pool, waits for an admission slot ({@link AdmissionGate}), pins the newest policy
 * version and hands the group to the generation thread; results come back through the mailbox,
 * where the pool is updated and the scored group is emitted.
 *
 * <p>Waiting for a slot yields to the mailbox, so completions and the policy-store poll (a
 * processing-time timer, also a mail) keep running while the input is back-pressured. New policy
 * versions are discovered by that poll rather than by a broadcast input: an operator that holds
 * back its main input cannot read a second input, but it can run mails.
 *
 * <p>State: per problem (keyed) its pool, admission count and pending requests — a request is
 * written before it is handed to the generation thread and removed when its result is emitted,
 * so every checkpoint holds each admitted group either as pending (re-submitted on restore) or as
 * already emitted. Per subtask (union list state) the gate's count of useful groups and the job
 * that wrote it.
 *
 * <p>Restores: pending groups are re-submitted (they are pinned to versions the restored learner
 * has, see below). New versions are taken only from {@link PolicyStore#latestFor} this attempt, so
 * after a restore no generator uses a version newer than the restored learner's step until that
 * learner publishes it again (DESIGN.md invariant 7). When the restored state comes from another
 * job (a resume, not a failover), {@code buffer.easy_fraction} / {@code hard_fraction} of the easy
 * and hard problems go back to the normal pool ({@link ReAdmission}).
 *
 * <p>Synchronous mode ({@code max_async_level: 0}): admitted groups are handed to the generation
 * thread as one wave when the gate closes (or when a problem must wait for its own previous group,
 * or the input ends or stays idle for a policy poll), not one by one as they arrive. Which groups
 * share a forward pass then follows the data, not timing — as long as the source keeps up — so a
 * stopped and resumed run generates exactly what an uninterrupted one does (DESIGN.md invariant
 * 6): a restored pending wave is refilled and handed over at the same point.
 *
 * <p>Stopping: a checkpoint barrier reaches this operator only after the problems buffered before
 * it, each of which may wait for the gate. When a stop is requested ({@link
 * PolicyStore#requestStop}), problems that cannot be admitted at once are parked in keyed state
 * instead, so the stop's savepoint is taken promptly; a resumed job admits them first, in order.
 */
public final class RolloutOperator extends AbstractStreamOperator<ScoredGroup>
        implements OneInputStreamOperator<Problem, ScoredGroup>, BoundedOneInput {

    static final String POOL_STATE = "difficulty-pool";
    static final String ADMISSIONS_STATE = "admissions";
    static final String PENDING_STATE = "pending-groups";
    static final String GATE_STATE = "admission-gate";
    static final String PARKED_STATE = "parked-problems";
    /** Groups whose verifier threw, as invalid records (the group itself goes on and is dropped). */
    public static final OutputTag<InvalidRecord> SCORING_FAILURES =
            new OutputTag<>("scoring-failures", TypeInformation.of(InvalidRecord.class));

    private final transient MailboxExecutor mailbox;
    private final RolloutSettings settings;
    private final GroupSamplerFactory samplerFactory;
    private final PolicyStore store;

    private transient ValueState<Integer> pool;
    private transient ValueState<Long> admissions;
    private transient MapState<Long, GroupRequest> pending;
    private transient ListState<GateState> gateState;
    private transient GroupSampler sampler;
    private transient GenerationWorker worker;
    private transient int subtask;
    private transient long inFlight;
    private transient long useful;
    private transient long nextSequence;
    private transient long newestVersion;
    private transient boolean finished;
    private transient long[] poolCounts;
    private transient RolloutMetrics stageMetrics;
    private transient String attempt;
    private transient boolean resumedFromAnotherJob;
    private transient MapState<Long, Problem> parked;
    private transient TreeSet<ParkedProblem> parkedOrder;
    private transient boolean stopping;
    /** Synchronous mode: admitted requests not yet handed to the generation thread. */
    private transient List<GroupRequest> wave;
    /** Problems received since the last policy poll: none, while none waits in processElement, means the input is idle. */
    private transient long receivedSincePoll;
    private transient boolean processing;

    /**
     * Where a parked problem is: its key and its sequence number. Ordered by sequence, then key:
     * after a rescale, problems parked by different subtasks can share a sequence number.
     */
    private record ParkedProblem(long sequence, Object key) implements Comparable<ParkedProblem> {
        @Override
        public int compareTo(ParkedProblem o) {
            int bySequence = Long.compare(sequence, o.sequence);
            return bySequence != 0 ? bySequence : key.toString().compareTo(o.key.toString());
        }
    }

    /** Gate counters of one subtask, as checkpointed. */
    public record GateState(int subtask, int parallelism, long useful, long nextSequence, String jobId) {}

    RolloutOperator(StreamOperatorParameters<ScoredGroup> parameters, RolloutSettings settings,
            GroupSamplerFactory samplerFactory, PolicyStore store) {
        super(parameters);
        this.mailbox = parameters.getMailboxExecutor();
        this.settings = settings;
        this.samplerFactory = samplerFactory;
        this.store = store;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        pool = context.getKeyedStateStore().getState(new ValueStateDescriptor<>(POOL_STATE, Integer.class));
        admissions = context.getKeyedStateStore().getState(new ValueStateDescriptor<>(ADMISSIONS_STATE, Long.class));
        pending = context.getKeyedStateStore().getMapState(pendingDescriptor());
        parked = context.getKeyedStateStore().getMapState(parkedDescriptor());
        gateState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>(GATE_STATE, GateState.class));
        restoreGate(context.isRestored(), parallelism);
    }

    /** Own counters when the parallelism is unchanged; otherwise this subtask's share of the total. */
    private void restoreGate(boolean restored, int parallelism) throws Exception {
        useful = 0;
        nextSequence = 0;
        resumedFromAnotherJob = false;
        if (!restored) {
            return;
        }
        String job = getRuntimeContext().getJobInfo().getJobId().toString();
        long total = 0;
        for (GateState s : gateState.get()) {
            resumedFromAnotherJob |= !job.equals(s.jobId());
            total += s.useful();
            nextSequence = Math.max(nextSequence, s.nextSequence());
            if (s.subtask() == subtask && s.parallelism() == parallelism) {
                useful = s.useful();
                return;
            }
        }
        AdmissionGate gate = settings.gate();
        useful = total * gate.share(subtask) / gate.problemsPerBatch();
    }

    private static MapStateDescriptor<Long, Problem> parkedDescriptor() {
        return new MapStateDescriptor<>(PARKED_STATE, Long.class, Problem.class);
    }

    private static MapStateDescriptor<Long, GroupRequest> pendingDescriptor() {
        return new MapStateDescriptor<>(PENDING_STATE, Long.class, GroupRequest.class);
    }

    @Override
    public void open() throws Exception {
        super.open();
        newestVersion = -1;
        finished = false;
        stopping = false;
        attempt = AttemptId.of(getRuntimeContext());
        sampler = samplerFactory.create(subtask, DeviceSelection.declaredGpus(getRuntimeContext()));
        worker = new GenerationWorker("rollout-generation-" + subtask, sampler, settings.maxGroupsPerPass(),
                groups -> mailbox.execute(() -> complete(groups), "rollout results"),
                failure -> mailbox.execute(() -> {
                    throw new RuntimeException("rollout generation failed", failure);
                }, "rollout failure"));
        wave = new ArrayList<>();
        List<Object[]> restored = new ArrayList<>();
        countPools(resumedFromAnotherJob);
        stageMetrics = new RolloutMetrics(getMetricGroup(), () -> inFlight, () -> newestVersion,
                p -> poolCounts[p.ordinal()]);
        getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                pendingDescriptor(), (key, state) -> {
                    for (GroupRequest r : state.values()) {
                        restored.add(new Object[] {key, r});
                    }
                });
        restored.sort(Comparator.comparingLong(r -> ((GroupRequest) r[1]).sequence()));
        parkedOrder = new TreeSet<>();
        getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                parkedDescriptor(), (key, state) -> {
                    for (Long sequence : state.keys()) {
                        parkedOrder.add(new ParkedProblem(sequence, key));
                    }
                });
        if (!parkedOrder.isEmpty()) {
            nextSequence = Math.max(nextSequence, parkedOrder.last().sequence() + 1);
            LOG.info("rollout subtask {} restored {} problems parked by a stop; they are admitted first",
                    subtask, parkedOrder.size());
        }
        for (Object[] r : restored) {
            GroupRequest request = (GroupRequest) r[1];
            nextSequence = Math.max(nextSequence, request.sequence() + 1);
            inFlight++;
            handOver(request);
        }
        if (!restored.isEmpty()) {
            LOG.info("rollout subtask {} re-submitted {} pending groups after restore", subtask, restored.size());
        }
        pollPolicyStore(0);
    }

    /** Counts the problems per pool, first re-admitting easy/hard ones when this is a resume. */
    private void countPools(boolean resume) throws Exception {
        Map<String, Pool> pools = new HashMap<>();
        getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new ValueStateDescriptor<>(POOL_STATE, Integer.class),
                (key, state) -> pools.put((String) key, Pool.values()[state.value()]));
        if (resume) {
            List<String> readmitted = settings.readmission().select(pools);
            for (String key : readmitted) {
                setCurrentKey(key);
                pool.update(Pool.NORMAL.ordinal());
                pools.put(key, Pool.NORMAL);
            }
            if (!readmitted.isEmpty()) {
                LOG.info("rollout subtask {} re-admitted {} easy/hard problems on resume", subtask, readmitted.size());
            }
        }
        poolCounts = new long[Pool.values().length];
        pools.values().forEach(p -> poolCounts[p.ordinal()]++);
    }

    @Override
    public void processElement(StreamRecord<Problem> element) throws Exception {
        processing = true;
        receivedSincePoll++;
        try {
            process(element.getValue());
        } finally {
            processing = false;
        }
    }

    private void process(Problem problem) throws Exception {
        Object key = getCurrentKey();
        // Problems parked by an earlier stop go first (the policy poll admits them); a stop parks this one too.
        while (!parkedOrder.isEmpty() && !finished && !stopping) {
            mailbox.yield();
        }
        setCurrentKey(key); // mails may have switched the key context
        if (!parkedOrder.isEmpty() && stopping) {
            park(key, problem);
            return;
        }
        if (!DifficultyPools.admits(currentPool())) {
            return;
        }
        // The problem came back (a fixed set read in epochs) while its previous group is still in
        // flight: wait for that group, so its pool is decided first and no admission is lost.
        while (!finished && !pending.isEmpty()) {
            flushWave(); // its previous group may be waiting in the wave
            mailbox.yield(); // completions run here
            setCurrentKey(key);
        }
        while (!finished && !gateOpen()) {
            if (stopping) {
                setCurrentKey(key);
                park(key, problem);
                return;
            }
            mailbox.yield(); // completions and policy polls run here
        }
        setCurrentKey(key);
        if (finished || !admissible()) {
            return;
        }
        admit(problem);
    }

    /** Starts a group of the current key's {@code problem}: pending in state, then to the generation thread. */
    private void admit(Problem problem) throws Exception {
        long admission = admissions.value() == null ? 0 : admissions.value();
        admissions.update(admission + 1);
        GroupRequest request = new GroupRequest(problem, admission, newestVersion, nextSequence++);
        pending.put(admission, request);
        inFlight++;
        handOver(request);
        stageMetrics.admitted();
        if (synchronous() && !gateOpen()) {
            flushWave(); // the gate just closed: the wave is complete
        }
    }

    /** Whether the admission gate lets another group of this subtask start now. */
    private boolean gateOpen() {
        return settings.gate().admits(subtask, newestVersion, inFlight, useful);
    }

    private boolean synchronous() {
        return settings.gate().maxAsyncLevel() == 0;
    }

    /** To the generation thread at once, or in synchronous mode into the wave. */
    private void handOver(GroupRequest request) {
        if (synchronous()) {
            wave.add(request);
        } else {
            worker.submit(request);
        }
    }

    /** Synchronous mode: the wave goes to the generation thread, to be generated in one call. */
    private void flushWave() {
        if (!wave.isEmpty()) {
            worker.submitAll(wave);
            wave.clear();
        }
    }

    /**
     * Keeps a problem that cannot be admitted while the job is being stopped in keyed state, so the
     * stop's savepoint barrier need not wait for the gate: everything buffered before the barrier
     * is parked, and the resumed job admits the parked problems first, in order.
     */
    private void park(Object key, Problem problem) throws Exception {
        long sequence = nextSequence++;
        parked.put(sequence, problem);
        parkedOrder.add(new ParkedProblem(sequence, key));
    }

    /** Admits parked problems, oldest first, while the gate lets them through (a mail; never waits). */
    private void admitParked() throws Exception {
        while (!parkedOrder.isEmpty() && !finished && gateOpen()) {
            ParkedProblem oldest = parkedOrder.first();
            setCurrentKey(oldest.key());
            if (!pending.isEmpty()) {
                flushWave(); // its previous group may be waiting in the wave
                break; // its previous group is still in flight: its pool is decided first (next poll)
            }
            parkedOrder.pollFirst();
            Problem problem = parked.get(oldest.sequence());
            parked.remove(oldest.sequence());
            if (DifficultyPools.admits(currentPool())) {
                admit(problem);
            }
        }
    }

    /** Runs in the mailbox: records results in state and emits them. */
    private void complete(List<ScoredGroup> groups) throws Exception {
        for (ScoredGroup group : groups) {
            setCurrentKey(group.problemId());
            pending.remove(group.admission());
            inFlight--;
            stageMetrics.completed(group);
            Pool before = currentPool();
            Pool after = settings.pools().classify(group.meanReward());
            poolCounts[before.ordinal()] -= before == Pool.NONE ? 0 : 1;
            poolCounts[after.ordinal()]++;
            pool.update(after.ordinal());
            if (!settings.filter().willDrop(group)) {
                useful++;
            }
            reportScoringFailure(group);
            output.collect(new StreamRecord<>(stamped(group)));
        }
    }

    private void reportScoringFailure(ScoredGroup group) {
        for (Rollout r : group.rollouts()) {
            if (r.scoringFailed()) {
                output.collect(SCORING_FAILURES, new StreamRecord<>(InvalidRecord.of("verifier of task " + group.task(),
                        group.prompt(), "group " + group.groupId() + ": the verifier threw on completion '" + r.text()
                                + "' (" + r.finishReason() + "); the group is dropped")));
                return;
            }
        }
    }

    private ScoredGroup stamped(ScoredGroup g) {
        PoolCounts counts = new PoolCounts(poolCounts[Pool.EASY.ordinal()], poolCounts[Pool.NORMAL.ordinal()],
                poolCounts[Pool.HARD.ordinal()]);
        return new ScoredGroup(g.groupId(), g.problemId(), g.task(), g.prompt(), g.promptTokens(), g.admission(),
                g.policyVersion(), subtask, counts, g.generationMillis(), g.rollouts());
    }

    /**
     * A problem is generated only from the normal pool (or before its first group), and never while
     * a group of it is still in flight: its pool is then decided before it can be admitted again.
     */
    private boolean admissible() throws Exception {
        return DifficultyPools.admits(currentPool()) && pending.isEmpty();
    }

    private Pool currentPool() throws Exception {
        Integer p = pool.value();
        return p == null ? Pool.NONE : Pool.values()[p];
    }

    /** Timer callback (a mail): looks for a newer policy version and for the finished marker. */
    private void pollPolicyStore(long timestamp) throws Exception {
        Optional<PolicyManifest> latest = store.latestFor(attempt);
        if (latest.isPresent() && latest.get().version() > newestVersion) {
            newestVersion = latest.get().version();
            FailureInjection.maybeFail("rollout", newestVersion, getRuntimeContext());
        }
        finished = store.isFinished();
        stopping = store.isStopRequested();
        // Idle input: nothing arrived and nothing waits in processElement (a stop pauses the source: not idleness).
        boolean idle = receivedSincePoll == 0 && !processing && !stopping;
        receivedSincePoll = 0;
        if (synchronous() && (finished || idle || (newestVersion >= 0 && !gateOpen()))) {
            flushWave(); // a restored wave that was complete, one the input will not fill soon, or the rest
        }
        if (!stopping) {
            admitParked();
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer(now + settings.policyPollMillis(), this::pollPolicyStore);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        gateState.update(List.of(new GateState(subtask, parallelism, useful, nextSequence,
                getRuntimeContext().getJobInfo().getJobId().toString())));
    }

    @Override
    public void endInput() throws Exception {
        flushWave();
        // Parked problems are admitted before the end, unless a stop keeps them for the savepoint.
        while (inFlight > 0 || (!parkedOrder.isEmpty() && !finished && !stopping)) {
            mailbox.yield();
        }
    }

    @Override
    public void close() throws Exception {
        if (worker != null) {
            worker.close();
        }
        if (sampler != null) {
            sampler.close();
        }
        super.close();
    }

    /** Newest visible policy version (tests). */
    long newestVersion() {
        return newestVersion;
    }

    long inFlight() {
        return inFlight;
    }
}
