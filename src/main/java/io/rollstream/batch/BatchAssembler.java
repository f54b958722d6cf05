package io.rollstream.batch;

import io.rollstream.types.DropReason;
import io.rollstream.types.GroupOutcome;
import io.rollstream.types.GroupTotals;
import io.rollstream.types.GroupVerdict;
import io.rollstream.types.PoolCounts;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;
import io.rollstream.types.TrainBatch;
import io.rollstream.types.TrainGroup;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns scored groups into training batches (the algorithm behind the batch-assembly operator; no
 * Flink here). For each offered group: advantages, then the content filters ({@link GroupFilters}),
 * then the staleness bound; a surviving group waits. Whenever enough groups wait, a batch is cut for
 * the next step n from the oldest waiting groups (lowest policy version first, ties by arrival):
 * earliest deadline first, so a group that passed the filters but arrived after its step's batch
 * was full is carried into the next batch rather than overtaken by fresher groups until it is
 * stale. The admission gate keeps the surplus to a constant headroom, so this costs at most
 * {@code ceil(oversampling_factor − 1)} steps of staleness, never a drop.
 *
 * <p>Invariants:
 *
 * <ul>
 *   <li>every batch holds exactly {@code batchSize} rollouts in {@code batchSize / groupSize} whole
 *       groups, and batches come with consecutive steps from 0 (or the restored step);
 *   <li>every trained group's staleness {@code n − policyVersion} is ≤ {@code maxOffPolicySteps}
 *       (waiting groups are re-checked before every cut, since each cut makes them one step staler);
 *   <li>every offered group gets exactly one {@link GroupOutcome}: trained, dropped at once, dropped
 *       as stale later, or dropped by {@link #flushAtEnd()};
 *   <li>no batch is cut for a step ≥ {@code maxSteps} (when limited); groups then wait for the end.
 * </ul>
 *
 * Not thread-safe; one instance per (parallelism-1) operator.
 */
public final class BatchAssembler {

    private final BatchAssemblyConfig config;
    private long nextStep;
    private final WaitingGroups waiting;
    private final CutCounters counters;
    private final GeneratorPools pools;

    /** A fresh assembler: step 0, nothing waiting. */
    public BatchAssembler(BatchAssemblyConfig config) {
        this(config, 0, new TrainGroup[0], new CutCounters(), new GeneratorPools(new int[0], new PoolCounts[0]));
    }

    private BatchAssembler(
            BatchAssemblyConfig config,
            long nextStep,
            TrainGroup[] waiting,
            CutCounters counters,
            GeneratorPools pools) {
        this.config = config;
        this.nextStep = nextStep;
        this.waiting = new WaitingGroups(waiting);
        this.counters = counters;
        this.pools = pools;
    }

    /**
     * An assembler that continues exactly where the one that took {@code state} left off.
     *
     * @throws IllegalArgumentException when a waiting group's size differs from the configured one
     */
    public static BatchAssembler restore(BatchAssemblyConfig config, BatchAssemblerState state) {
        for (TrainGroup g : state.waiting()) {
            checkSize(config, g.group());
        }
        CutCounters c = new CutCounters();
        c.received = state.groupsReceived();
        c.droppedZeroAdvantage = state.droppedZeroAdvantage();
        c.droppedDifficulty = state.droppedDifficulty();
        c.droppedStale = state.droppedStale();
        c.droppedLength = state.droppedLength();
        c.completionTokens = state.completionTokensReceived();
        c.firstArrivalMillis = state.firstArrivalMillis();
        c.restoreTotals(state.totals() != null ? state.totals() : GroupTotals.NONE);
        return new BatchAssembler(
                config,
                state.nextStep(),
                state.waiting().clone(),
                c,
                new GeneratorPools(state.poolSubtasks(), state.pools()));
    }

    /** A copy of everything this assembler holds; see {@link #restore}. */
    public BatchAssemblerState snapshot() {
        return new BatchAssemblerState(
                nextStep,
                waiting.toArray(),
                counters.received,
                counters.droppedZeroAdvantage,
                counters.droppedDifficulty,
                counters.droppedStale,
                counters.droppedLength,
                counters.completionTokens,
                counters.firstArrivalMillis,
                pools.subtasks(),
                pools.counts(),
                counters.totals());
    }

    /**
     * Takes one scored group and cuts every batch that has become possible.
     *
     * @param group a group of exactly {@code groupSize} rollouts
     * @param nowMillis wall clock now (first-arrival and cut times in {@link io.rollstream.types.BatchStats})
     * @throws IllegalArgumentException when the group has the wrong number of rollouts (nothing changes)
     */
    public Assembled offer(ScoredGroup group, long nowMillis) {
        checkSize(config, group);
        counters.arrived(group.completionTokens(), nowMillis);
        pools.report(group.generatorSubtask(), group.pools());
        List<TrainBatch> batches = new ArrayList<>();
        List<GroupOutcome> outcomes = new ArrayList<>();

        GroupVerdict verdict = group.verdict() != null ? group.verdict() : judge(config, group.rollouts());
        float[] advantages = verdict.advantages();
        DropReason reason = verdict.dropped();
        if (reason == null && nextStep - group.policyVersion() > config.maxOffPolicySteps()) {
            reason = DropReason.STALE;
        }
        if (reason != null) {
            counters.dropped(reason);
            outcomes.add(GroupOutcome.dropped(group, advantages, reason));
        } else {
            waiting.add(new TrainGroup(group, advantages));
        }
        cutWhilePossible(nowMillis, batches, outcomes);
        return new Assembled(batches, outcomes);
    }

    /**
     * The content verdict on a group's rollouts under {@code config}: its advantages and the first
     * content filter that drops it. The rollout stage decides it when the group completes ({@link
     * ScoredGroup#verdict()}); a group that arrives without one is judged here.
     */
    public static GroupVerdict judge(BatchAssemblyConfig config, Rollout[] rollouts) {
        float[] advantages = Advantages.of(rollouts, config.advantages());
        return new GroupVerdict(advantages, config.filters().dropReason(rollouts, advantages));
    }

    /** End of input: every waiting group is dropped with {@link DropReason#END_OF_INPUT}, in arrival order. */
    public List<GroupOutcome> flushAtEnd() {
        List<GroupOutcome> outcomes = new ArrayList<>();
        for (TrainGroup g : waiting.drain()) {
            outcomes.add(GroupOutcome.dropped(g.group(), g.advantages(), DropReason.END_OF_INPUT));
        }
        return outcomes;
    }

    /** The step of the next batch to cut. */
    public long nextStep() {
        return nextStep;
    }

    /** The whole run's counts so far. */
    public GroupTotals totals() {
        return counters.totals();
    }

    /** How many groups wait for a batch. */
    public int waitingGroups() {
        return waiting.size();
    }

    private void cutWhilePossible(long nowMillis, List<TrainBatch> batches, List<GroupOutcome> outcomes) {
        while (config.mayCut(nextStep)) {
            for (TrainGroup stale : waiting.removeStale(nextStep, config.maxOffPolicySteps())) {
                counters.dropped(DropReason.STALE);
                outcomes.add(GroupOutcome.dropped(stale.group(), stale.advantages(), DropReason.STALE));
            }
            if (waiting.size() < config.groupsPerBatch()) {
                return;
            }
            TrainGroup[] chosen = waiting.takeOldest(config.groupsPerBatch());
            for (TrainGroup g : chosen) {
                counters.trained(g.group().completionTokens());
            }
            batches.add(new TrainBatch(nextStep, chosen, counters.cut(waiting.size(), nowMillis, pools.total())));
            for (TrainGroup g : chosen) {
                outcomes.add(GroupOutcome.trained(g, nextStep));
            }
            nextStep++;
        }
    }

    private static void checkSize(BatchAssemblyConfig config, ScoredGroup group) {
        if (group.rollouts().length != config.groupSize()) {
            throw new IllegalArgumentException("group " + group.groupId() + " has " + group.rollouts().length
                    + " rollouts but the group size is " + config.groupSize());
        }
    }
}
