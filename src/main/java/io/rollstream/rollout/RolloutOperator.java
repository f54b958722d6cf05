package io.rollstream.rollout;

import io.rollstream.common.FailureInjection;
import io.rollstream.device.DeviceSelection;
import io.rollstream.policy.AttemptId;
import io.rollstream.policy.PolicyManifest;
import io.rollstream.policy.PolicyStore;
import io.rollstream.policy.RunSignals;
import io.rollstream.rollout.DifficultyPools.Pool;
import io.rollstream.tasks.Problem;
import io.rollstream.types.InvalidRecord;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
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

/**
 * The rollout stage, keyed by problem id: a thin Flink shell around {@link AdmissionScheduler},
 * which makes every admission decision. This class only moves Flink's events in (problems,
 * generation results through the mailbox, a policy-store poll as a processing-time timer) and the
 * scheduler's results out (scored groups; groups whose verifier threw also as invalid records), and
 * keeps the scheduler's state in Flink state.
 *
 * <p>Waiting for the gate never blocks a mail: a problem joins the scheduler's queue at once, and
 * {@code processElement} yields to the mailbox only while that queue is full, so completions and
 * policy polls keep running. New versions are found by the poll rather than by a broadcast input: an
 * operator that holds back its main input cannot read a second input, but it can run mails. Versions
 * come only from {@link RunSignals#latestFor} this attempt, so after a restore no generator uses a
 * version newer than the restored learner's step until that learner publishes it again
 * (docs/invariants.md, invariant 7).
 *
 * <p>State, per problem (keyed): its {@link ProblemState}, its group in flight (written before the
 * group goes to the generation thread, removed when it is emitted, so every checkpoint holds each
 * admitted group as pending — generated again after a restore — or as emitted) and its entries in
 * the queue. Per subtask (union list state, for rescaling): the gate's counts ({@link GateState}).
 * When the restored state comes from another job (a resume, not a failover), {@code
 * buffer.easy_fraction} / {@code hard_fraction} of the easy and hard problems go back to the normal
 * pool ({@link ReAdmission}).
 *
 * <p>Stopping: a savepoint barrier reaches this operator only after the problems buffered before
 * it. While a stop is under way ({@link RunSignals#requestStop}) the queue takes all of them without
 * waiting for the gate, so the savepoint is taken promptly; the resumed job admits them first, in
 * order.
 */
public final class RolloutOperator extends AbstractStreamOperator<ScoredGroup>
        implements OneInputStreamOperator<Problem, ScoredGroup>, BoundedOneInput {

    static final String PROBLEM_STATE = "problem";
    static final String PENDING_STATE = "pending-group";
    static final String WAITING_STATE = "waiting-problems";
    static final String GATE_STATE = "admission-gate";
    /** Groups whose verifier threw, as invalid records (the group itself goes on and is dropped). */
    public static final OutputTag<InvalidRecord> SCORING_FAILURES =
            new OutputTag<>("scoring-failures", TypeInformation.of(InvalidRecord.class));

    private final transient MailboxExecutor mailbox;
    private final RolloutSettings settings;
    private final GroupSamplerFactory samplerFactory;
    private final PolicyStore store;
    private final RunSignals signals;

    private transient ValueState<ProblemState> problems;
    private transient ValueState<GroupRequest> pending;
    private transient MapState<Long, Problem> waiting;
    private transient ListState<GateState> gateState;
    private transient List<GateState> restoredGates;
    private transient boolean resumedFromAnotherJob;
    private transient int subtask;
    private transient String attempt;
    private transient AtomicLong newestVersion;
    private transient GroupSampler sampler;
    private transient GenerationWorker worker;
    private transient AdmissionScheduler scheduler;
    private transient RolloutMetrics stageMetrics;

    RolloutOperator(
            StreamOperatorParameters<ScoredGroup> parameters,
            RolloutSettings settings,
            GroupSamplerFactory samplerFactory,
            PolicyStore store) {
        super(parameters);
        this.mailbox = parameters.getMailboxExecutor();
        this.settings = settings;
        this.samplerFactory = samplerFactory;
        this.store = store;
        this.signals = new RunSignals(store);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        problems = context.getKeyedStateStore().getState(problemDescriptor());
        pending = context.getKeyedStateStore().getState(pendingDescriptor());
        waiting = context.getKeyedStateStore().getMapState(waitingDescriptor());
        gateState = context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>(GATE_STATE, GateState.class));
        restoredGates = new ArrayList<>();
        gateState.get().forEach(restoredGates::add);
        String job = getRuntimeContext().getJobInfo().getJobId().toString();
        resumedFromAnotherJob = restoredGates.stream().anyMatch(s -> !job.equals(s.jobId()));
    }

    private static ValueStateDescriptor<ProblemState> problemDescriptor() {
        return new ValueStateDescriptor<>(PROBLEM_STATE, ProblemState.class);
    }

    private static ValueStateDescriptor<GroupRequest> pendingDescriptor() {
        return new ValueStateDescriptor<>(PENDING_STATE, GroupRequest.class);
    }

    private static MapStateDescriptor<Long, Problem> waitingDescriptor() {
        return new MapStateDescriptor<>(WAITING_STATE, Long.class, Problem.class);
    }

    @Override
    public void open() throws Exception {
        super.open();
        attempt = AttemptId.of(getRuntimeContext());
        newestVersion = new AtomicLong(-1);
        sampler = samplerFactory.create(subtask, DeviceSelection.declaredGpus(getRuntimeContext()));
        worker = new GenerationWorker(
                "rollout-generation-" + subtask,
                sampler,
                settings.maxGroupsPerPass(),
                newestVersion::get,
                groups -> mailbox.execute(() -> complete(groups), "rollout results"),
                failure -> mailbox.execute(
                        () -> {
                            throw new RuntimeException("rollout generation failed", failure);
                        },
                        "rollout failure"));
        stageMetrics = new RolloutMetrics(
                getMetricGroup(),
                () -> scheduler.inFlight(),
                () -> scheduler.queued(),
                newestVersion::get,
                () -> scheduler.poolCounts(),
                () -> scheduler.expectedUsefulInFlight());
        scheduler = new AdmissionScheduler(
                settings,
                subtask,
                AdmissionScheduler.restoredCounts(restoredGates, settings.gate(), subtask),
                new KeyedProblemStore(this::setCurrentKey, problems, pending, waiting),
                counted(worker));
        restoredGates = null;
        restoreKeyedState();
        pollPolicyStore(0);
    }

    /** Hands the scheduler what the keyed state holds: pools, groups in flight, the queue. */
    private void restoreKeyedState() throws Exception {
        Map<String, Pool> pools = new HashMap<>();
        forEachKey(
                problemDescriptor(),
                (key, state) -> pools.put(key, state.value().pool()));
        int readmitted = scheduler.restorePools(pools, settings.readmission(), resumedFromAnotherJob);
        List<GroupRequest> inFlight = new ArrayList<>();
        forEachKey(pendingDescriptor(), (key, state) -> inFlight.add(state.value()));
        scheduler.restorePending(inFlight);
        int[] queued = {0};
        forEachKey(waitingDescriptor(), (key, state) -> {
            for (Long sequence : state.keys()) {
                scheduler.restoreWaiting(sequence, key);
                queued[0]++;
            }
        });
        if (readmitted + inFlight.size() + queued[0] > 0) {
            LOG.info(
                    "rollout subtask {} restored {} groups in flight (generated again), {} problems waiting for"
                            + " admission (admitted first) and re-admitted {} easy/hard problems",
                    subtask,
                    inFlight.size(),
                    queued[0],
                    readmitted);
        }
    }

    @FunctionalInterface
    private interface KeyVisitor<S> {
        void visit(String key, S state) throws Exception;
    }

    private <S extends State> void forEachKey(StateDescriptor<S, ?> descriptor, KeyVisitor<S> visitor)
            throws Exception {
        getKeyedStateBackend()
                .applyToAllKeys(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        descriptor,
                        (key, state) -> visitor.visit((String) key, state));
    }

    /** The worker as the scheduler's dispatch, counting what it is handed for the metrics. */
    private Dispatch counted(GenerationWorker target) {
        return new Dispatch() {
            @Override
            public void submit(GroupRequest request) {
                stageMetrics.admitted(1);
                target.submit(request);
            }

            @Override
            public void submitWave(List<GroupRequest> wave) {
                stageMetrics.admitted(wave.size());
                target.submitWave(wave);
            }
        };
    }

    @Override
    public void processElement(StreamRecord<Problem> element) throws Exception {
        while (scheduler.inputBlocked()) {
            mailbox.yield(); // completions and policy polls run here; they drain the queue
        }
        scheduler.offer(element.getValue());
    }

    /** Runs in the mailbox: the scheduler records the results, they are emitted. */
    private void complete(List<SampledGroup> groups) throws Exception {
        for (ScoredGroup group : scheduler.complete(groups)) {
            stageMetrics.completed(group);
            reportScoringFailure(group);
            output.collect(new StreamRecord<>(group));
        }
    }

    private void reportScoringFailure(ScoredGroup group) {
        for (Rollout r : group.rollouts()) {
            if (r.scoringFailed()) {
                output.collect(
                        SCORING_FAILURES,
                        new StreamRecord<>(InvalidRecord.of(
                                "verifier of task " + group.task(),
                                group.prompt(),
                                "group " + group.groupId() + ": the verifier threw on completion '" + r.text() + "' ("
                                        + r.finishText() + "); the group is dropped")));
                return;
            }
        }
    }

    /** Timer callback (a mail): the newest version this attempt may use, and the run's signals. */
    private void pollPolicyStore(long timestamp) throws Exception {
        Optional<PolicyManifest> latest = signals.latestFor(attempt);
        if (latest.isPresent() && latest.get().version() > newestVersion.get()) {
            newestVersion.set(latest.get().version()); // before the scheduler hands anything over
            FailureInjection.maybeFail("rollout", newestVersion.get(), getRuntimeContext());
        }
        scheduler.polled(new AdmissionScheduler.Poll(
                newestVersion.get(),
                latest.map(PolicyManifest::groupsDroppedStale).orElse(0L),
                signals.isFinished(),
                signals.isStopRequested()));
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer(now + settings.policyPollMillis(), this::pollPolicyStore);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        gateState.update(List.of(
                scheduler.snapshot(getRuntimeContext().getJobInfo().getJobId().toString())));
    }

    @Override
    public void endInput() throws Exception {
        scheduler.endOfInput();
        while (!scheduler.drained()) {
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

    /** The scheduler (tests). */
    AdmissionScheduler scheduler() {
        return scheduler;
    }
}
