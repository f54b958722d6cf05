package io.rollstream.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rollstream.types.BatchStats;
import io.rollstream.types.DropReason;
import io.rollstream.types.GroupOutcome;
import io.rollstream.types.GroupTotals;
import io.rollstream.types.GroupVerdict;
import io.rollstream.types.PoolCounts;
import io.rollstream.types.ScoredGroup;
import io.rollstream.types.TrainBatch;
import io.rollstream.types.TrainGroup;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class BatchAssemblerTest {

    /** Batches of 2 groups × 4 rollouts = 8 rollouts. */
    private static final int GROUPS_PER_BATCH = 2;

    private static final int BATCH_SIZE = GROUPS_PER_BATCH * ScoredGroups.SIZE;

    private static BatchAssemblyConfig config(long maxOffPolicySteps, long maxSteps) {
        return new BatchAssemblyConfig(
                BATCH_SIZE, ScoredGroups.SIZE, maxOffPolicySteps, maxSteps, GroupFilters.ALL, false);
    }

    /** Feeds groups at t = 1000, 1001, …; returns everything they produced, in order. */
    private static Assembled feed(BatchAssembler assembler, ScoredGroup... groups) {
        List<TrainBatch> batches = new ArrayList<>();
        List<GroupOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < groups.length; i++) {
            Assembled a = assembler.offer(groups[i], 1000 + i);
            batches.addAll(a.batches());
            outcomes.addAll(a.outcomes());
        }
        return new Assembled(batches, outcomes);
    }

    private static List<String> ids(TrainBatch b) {
        return Arrays.stream(b.groups()).map(g -> g.group().problemId()).toList();
    }

    private static Map<String, String> fates(List<GroupOutcome> outcomes) {
        Map<String, String> m = new HashMap<>();
        for (GroupOutcome o : outcomes) {
            String previous = m.put(
                    o.group().problemId(),
                    o.dropped() == null
                            ? "trained@" + o.trainedStep()
                            : o.dropped().key());
            assertThat(previous)
                    .as("second outcome for " + o.group().problemId())
                    .isNull();
        }
        return m;
    }

    /** The state of {@code limited} (stopped at its maxSteps), resumed without a step limit. */
    private static BatchAssembler resumedWithoutStepLimit(BatchAssembler limited, long maxOffPolicySteps) {
        BatchAssemblerState state = StrictSerialization.roundTrip(BatchAssemblerState.TYPE, limited.snapshot());
        return BatchAssembler.restore(config(maxOffPolicySteps, 0), state);
    }

    @Test
    void aVerdictTheGroupCarriesIsTakenAsDecidedNotDecidedAgain() {
        BatchAssembler assembler = new BatchAssembler(config(1, 0));
        ScoredGroup learnable = ScoredGroups.learnable("judged-easy", 0);
        ScoredGroup judged = new ScoredGroup(
                learnable.groupId(),
                learnable.problemId(),
                learnable.task(),
                learnable.prompt(),
                learnable.answer(),
                learnable.promptTokens(),
                learnable.admission(),
                learnable.policyVersion(),
                learnable.generatorSubtask(),
                learnable.pools(),
                learnable.generationMillis(),
                learnable.rollouts(),
                new GroupVerdict(new float[] {0.25f, -0.25f, -0.25f, 0.25f}, DropReason.DIFFICULTY));

        Assembled out = assembler.offer(judged, 1);

        assertThat(out.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.dropped())
                    .as("the carried reason, though the content filters would pass it")
                    .isEqualTo(DropReason.DIFFICULTY);
            assertThat(o.advantages()).containsExactly(0.25f, -0.25f, -0.25f, 0.25f);
        });
    }

    @Test
    void configRequiresWholeGroupsPerBatch() {
        assertThatThrownBy(() -> new BatchAssemblyConfig(10, 4, 1, 0, GroupFilters.ALL, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10")
                .hasMessageContaining("4");
        assertThat(config(1, 0).groupsPerBatch()).isEqualTo(2);
    }

    @Test
    void everyBatchHasExactlyBatchSizeRolloutsInWholeGroups() {
        BatchAssembler assembler = new BatchAssembler(config(1, 0));
        Assembled out = feed(
                assembler,
                ScoredGroups.learnable("a", 0),
                ScoredGroups.learnable("b", 0),
                ScoredGroups.learnable("c", 1),
                ScoredGroups.learnable("d", 1),
                ScoredGroups.learnable("e", 2));

        assertThat(out.batches()).extracting(TrainBatch::step).containsExactly(0L, 1L);
        for (TrainBatch b : out.batches()) {
            assertThat(b.rollouts()).isEqualTo(BATCH_SIZE);
            assertThat(b.groups()).hasSize(GROUPS_PER_BATCH);
        }
        assertThat(assembler.waitingGroups()).isEqualTo(1);
        assertThat(assembler.nextStep()).isEqualTo(2);
    }

    @Test
    void surplusGroupsCarryOverToTheNextBatchOneStepStaler() {
        BatchAssembler assembler = new BatchAssembler(config(1, 0));
        // a, b fill batch 0; c (same version) is surplus and waits for batch 1, where d (v1) joins it
        Assembled out = feed(
                assembler,
                ScoredGroups.learnable("a", 0),
                ScoredGroups.learnable("b", 0),
                ScoredGroups.learnable("c", 0),
                ScoredGroups.learnable("d", 1));

        assertThat(out.batches()).hasSize(2);
        assertThat(ids(out.batches().get(0))).containsExactly("a", "b");
        assertThat(ids(out.batches().get(1)))
                .as("oldest first: the carried group leads")
                .containsExactly("c", "d");
        // staleness = step − version: a, b at step 0 → 0; c at step 1 → 1 (one step staler); d → 0
        assertThat(fates(out.outcomes()))
                .containsEntry("a", "trained@0")
                .containsEntry("b", "trained@0")
                .containsEntry("c", "trained@1")
                .containsEntry("d", "trained@1");
    }

    @Test
    void groupStalerThanTheBoundOnArrivalIsDroppedAtOnce() {
        BatchAssembler assembler = new BatchAssembler(config(1, 0));
        feed(
                assembler,
                ScoredGroups.learnable("a", 0),
                ScoredGroups.learnable("b", 0), // step 0
                ScoredGroups.learnable("c", 1),
                ScoredGroups.learnable("d", 1), // step 1
                ScoredGroups.learnable("e", 2),
                ScoredGroups.learnable("f", 2)); // step 2
        assertThat(assembler.nextStep()).isEqualTo(3);

        // at step 3: v1 has staleness 2 > 1 → stale; v2 has staleness 1 → waits
        Assembled out = feed(assembler, ScoredGroups.learnable("old", 1), ScoredGroups.learnable("ok", 2));
        assertThat(out.batches()).isEmpty();
        assertThat(fates(out.outcomes())).containsExactly(Map.entry("old", DropReason.STALE.key()));
        assertThat(assembler.waitingGroups()).isEqualTo(1);
    }

    @Test
    void waitingGroupsAreReCheckedForStalenessBeforeEveryCut() {
        // Groups pile up while the step limit is reached, and the run is resumed with the limit lifted:
        // one offer then cuts several batches, and each cut makes the remaining groups one step staler.
        BatchAssembler limited = new BatchAssembler(config(1, 1));
        feed(
                limited,
                ScoredGroups.learnable("a", 0),
                ScoredGroups.learnable("b", 0), // step 0
                ScoredGroups.learnable("c", 0),
                ScoredGroups.learnable("d", 1),
                ScoredGroups.learnable("e", 0),
                ScoredGroups.learnable("f", 1),
                ScoredGroups.learnable("g", 1));
        assertThat(limited.waitingGroups()).isEqualTo(5);

        BatchAssembler resumed = resumedWithoutStepLimit(limited, 1);
        Assembled out = feed(resumed, ScoredGroups.learnable("h", 1));

        // step 1 takes the oldest (c, e: v0 in arrival order), step 2 the next (d, f: v1); before the
        // cut of step 3, g and h (v1) have staleness 2 > 1 and are dropped
        assertThat(out.batches()).extracting(TrainBatch::step).containsExactly(1L, 2L);
        assertThat(ids(out.batches().get(0))).containsExactly("c", "e");
        assertThat(ids(out.batches().get(1))).containsExactly("d", "f");
        assertThat(fates(out.outcomes()))
                .containsOnly(
                        Map.entry("c", "trained@1"),
                        Map.entry("e", "trained@1"),
                        Map.entry("d", "trained@2"),
                        Map.entry("f", "trained@2"),
                        Map.entry("g", DropReason.STALE.key()),
                        Map.entry("h", DropReason.STALE.key()));
        assertThat(out.outcomes())
                .extracting(o -> o.group().problemId())
                .as("outcomes in decision order")
                .containsExactly("c", "e", "d", "f", "g", "h");

        BatchStats first = out.batches().get(0).stats();
        assertThat(first.groupsReceived())
                .as("c..g before the snapshot, h after")
                .isEqualTo(6);
        assertThat(first.groupsWaiting()).isEqualTo(4);
        BatchStats second = out.batches().get(1).stats();
        assertThat(second.groupsReceived()).isZero();
        assertThat(second.groupsWaiting()).isEqualTo(2);
        assertThat(second.firstArrivalMillis())
                .as("nothing arrived: the cut time")
                .isEqualTo(second.cutMillis());
        assertThat(resumed.totals().droppedStale())
                .as("counted for the next cut and in the totals")
                .isEqualTo(2);
    }

    @Test
    void oldestGroupsAreTakenFirstAndTiesGoByArrival() {
        BatchAssembler limited = new BatchAssembler(config(2, 1));
        feed(
                limited,
                ScoredGroups.learnable("a", 0),
                ScoredGroups.learnable("b", 0), // step 0
                ScoredGroups.learnable("c", 0),
                ScoredGroups.learnable("d", 1),
                ScoredGroups.learnable("e", 1),
                ScoredGroups.learnable("f", 0));

        BatchAssembler resumed = resumedWithoutStepLimit(limited, 2);
        Assembled out = feed(resumed, ScoredGroups.learnable("g", 0));

        assertThat(out.batches()).hasSize(2);
        assertThat(ids(out.batches().get(0))).containsExactly("c", "f");
        // g (v0) arrived last: taking the fresher d and e first would leave it to step 3 (3 − 0 > 2,
        // stale); oldest first trains it at step 2, within the bound, and e waits instead
        assertThat(ids(out.batches().get(1))).containsExactly("g", "d");
        assertThat(fates(out.outcomes())).containsEntry("g", "trained@2").doesNotContainValue(DropReason.STALE.key());
        assertThat(resumed.waitingGroups()).as("e waits for step 3").isEqualTo(1);
    }

    @Test
    void filtersDropGroupsWithTheirReasonAndAdvantagesAndAreCounted() {
        BatchAssembler assembler = new BatchAssembler(config(1, 0));
        Assembled out = feed(
                assembler,
                ScoredGroups.truncated("long", 0),
                ScoredGroups.solved("easy", 0),
                ScoredGroups.failed("hard", 0),
                ScoredGroups.tied("flat", 0),
                ScoredGroups.learnable("a", 0),
                ScoredGroups.learnable("b", 0));

        assertThat(fates(out.outcomes()))
                .containsOnly(
                        Map.entry("long", DropReason.LENGTH.key()),
                        Map.entry("easy", DropReason.DIFFICULTY.key()),
                        Map.entry("hard", DropReason.DIFFICULTY.key()),
                        Map.entry("flat", DropReason.ZERO_ADVANTAGE.key()),
                        Map.entry("a", "trained@0"),
                        Map.entry("b", "trained@0"));
        assertThat(out.outcomes().get(0).advantages()).containsExactly(0.5f, -0.5f, -0.5f, 0.5f);
        assertThat(out.outcomes().get(0).trainedStep()).isEqualTo(-1);

        BatchStats stats = out.batches().get(0).stats();
        assertThat(stats.groupsReceived()).isEqualTo(6);
        assertThat(stats.groupsDroppedLength()).isEqualTo(1);
        assertThat(stats.groupsDroppedDifficulty()).isEqualTo(2);
        assertThat(stats.groupsDroppedZeroAdvantage()).isEqualTo(1);
        assertThat(stats.groupsDroppedStale()).isZero();
        assertThat(stats.completionTokensReceived()).isEqualTo(6 * ScoredGroups.TOKENS_PER_GROUP);
    }

    @Test
    void statsCountSinceThePreviousCutAndSumTheLatestPoolsOfEachGenerator() {
        BatchAssembler assembler = new BatchAssembler(config(1, 0));
        assembler.offer(ScoredGroups.fromGenerator("a", 0, 0, new PoolCounts(1, 10, 0)), 100);
        Assembled first = assembler.offer(ScoredGroups.fromGenerator("b", 0, 1, new PoolCounts(2, 20, 1)), 150);
        BatchStats s0 = first.batches().get(0).stats();
        long tokens = ScoredGroups.TOKENS_PER_GROUP;
        assertThat(s0)
                .isEqualTo(new BatchStats(
                        2,
                        0,
                        0,
                        0,
                        0,
                        0,
                        2 * tokens,
                        100,
                        150,
                        new PoolCounts(3, 30, 1),
                        new GroupTotals(2, 2, 0, 0, 0, 0, 0, 2 * tokens, 2 * tokens)));

        // generator 0 reports twice more: its latest counts (0, 1, 0) replace the earlier ones;
        // generator 1's (2, 20, 1) still count although it sent nothing since the previous cut
        assembler.offer(ScoredGroups.solved("c", 1), 200); // dropped (difficulty), still received
        assembler.offer(ScoredGroups.fromGenerator("d", 1, 0, new PoolCounts(5, 5, 5)), 260);
        Assembled second = assembler.offer(ScoredGroups.learnable("f", 1), 300); // subtask 0, (0, 1, 0)
        BatchStats s1 = second.batches().get(0).stats();
        assertThat(s1)
                .isEqualTo(new BatchStats(
                        3,
                        0,
                        1,
                        0,
                        0,
                        0,
                        3 * tokens,
                        200,
                        300,
                        new PoolCounts(2, 21, 1),
                        new GroupTotals(5, 4, 0, 1, 0, 0, 0, 5 * tokens, 4 * tokens)));
        assertThat(s1.totals().generationEfficiency()).isEqualTo(0.8);
        assertThat(s1.totals().rolloutTokensPerTrainedToken()).isEqualTo(1.25);
    }

    @Test
    void noBatchIsCutAtOrBeyondMaxStepsAndTheRestIsFlushedAtTheEnd() {
        BatchAssembler assembler = new BatchAssembler(config(5, 2));
        Assembled out = feed(
                assembler,
                ScoredGroups.learnable("a", 0),
                ScoredGroups.learnable("b", 0),
                ScoredGroups.learnable("c", 0),
                ScoredGroups.learnable("d", 0),
                ScoredGroups.learnable("e", 1),
                ScoredGroups.learnable("f", 1));

        assertThat(out.batches()).extracting(TrainBatch::step).containsExactly(0L, 1L);
        assertThat(assembler.nextStep()).isEqualTo(2);
        assertThat(assembler.waitingGroups()).isEqualTo(2);

        List<GroupOutcome> flushed = assembler.flushAtEnd();
        assertThat(fates(flushed))
                .containsOnly(
                        Map.entry("e", DropReason.END_OF_INPUT.key()), Map.entry("f", DropReason.END_OF_INPUT.key()));
        assertThat(flushed.get(0).advantages()).containsExactly(0.5f, -0.5f, -0.5f, 0.5f);
        assertThat(assembler.waitingGroups()).isZero();
        assertThat(assembler.flushAtEnd()).as("each group is flushed once").isEmpty();
    }

    @Test
    void unlimitedMaxStepsMayBeZeroOrLongMax() {
        for (long unlimited : new long[] {0, Long.MAX_VALUE}) {
            BatchAssembler assembler = new BatchAssembler(config(100, unlimited));
            for (int i = 0; i < 40; i++) {
                assembler.offer(ScoredGroups.learnable("p" + i, 0), i);
            }
            assertThat(assembler.nextStep()).isEqualTo(20);
        }
    }

    @Test
    void groupOfTheWrongSizeIsRejectedWithBothSizesAndChangesNothing() {
        BatchAssembler assembler = new BatchAssembler(config(1, 0));
        assertThatThrownBy(() -> assembler.offer(ScoredGroups.shortGroup("short", 0), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("short#0")
                .hasMessageContaining("3 rollouts")
                .hasMessageContaining("group size is 4");
        assertThat(assembler.snapshot().groupsReceived()).isZero();
    }

    @Test
    void advantagesAreDividedByTheGroupStdWhenConfigured() {
        BatchAssembler assembler = new BatchAssembler(
                new BatchAssemblyConfig(BATCH_SIZE, ScoredGroups.SIZE, 1, 0, GroupFilters.ALL, true));
        Assembled out = feed(assembler, ScoredGroups.learnable("a", 0), ScoredGroups.of("b", 0, 1, 0, 0, 0));
        // a: ±0.5 / (0.5 + 1e-6); b: [0.75, −0.25, −0.25, −0.25] / (0.4330127 + 1e-6)
        TrainGroup[] groups = out.batches().get(0).groups();
        assertThat(groups[0].advantages())
                .containsExactly(new float[] {0.999998f, -0.999998f, -0.999998f, 0.999998f}, within(1e-6f));
        assertThat(groups[1].advantages())
                .containsExactly(new float[] {1.732047f, -0.577349f, -0.577349f, -0.577349f}, within(1e-5f));
    }

    @Test
    void snapshotIsACopyAndARestoredAssemblerContinuesIdentically() {
        List<ScoredGroup> stream = RandomGroups.stream(new Random(7), 120);
        BatchAssembler original = new BatchAssembler(config(1, 0));
        BatchAssembler reference = new BatchAssembler(config(1, 0));
        int split = 53;
        for (int i = 0; i < split; i++) {
            original.offer(stream.get(i), i);
            reference.offer(stream.get(i), i);
        }
        BatchAssemblerState snapshot = original.snapshot();
        int waitingAtSnapshot = snapshot.waiting().length;
        BatchAssembler restored =
                BatchAssembler.restore(config(1, 0), StrictSerialization.roundTrip(BatchAssemblerState.TYPE, snapshot));

        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        for (int i = split; i < stream.size(); i++) {
            expected.addAll(Traces.of(reference.offer(stream.get(i), i)));
            actual.addAll(Traces.of(restored.offer(stream.get(i), i)));
        }
        reference.flushAtEnd().forEach(o -> expected.add(Traces.outcome(o)));
        restored.flushAtEnd().forEach(o -> actual.add(Traces.outcome(o)));

        assertThat(expected).anyMatch(line -> line.startsWith("batch "));
        assertThat(actual).containsExactlyElementsOf(expected);
        assertThat(snapshot.waiting())
                .as("later offers do not change a snapshot")
                .hasSize(waitingAtSnapshot);
    }

    @Test
    void restoreRejectsWaitingGroupsOfAnotherGroupSize() {
        BatchAssembler assembler = new BatchAssembler(config(1, 0));
        assembler.offer(ScoredGroups.learnable("a", 0), 1);
        BatchAssemblyConfig eightPerGroup = new BatchAssemblyConfig(16, 8, 1, 0, GroupFilters.ALL, false);
        assertThatThrownBy(() -> BatchAssembler.restore(eightPerGroup, assembler.snapshot()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("group size is 8");
    }

    /**
     * Random mixes of every scenario, versions up to 3 behind the next step, a mid-run restore and a
     * final flush: the invariants of batch assembly hold throughout.
     */
    @Test
    void invariantsHoldOnRandomStreams() throws IOException {
        Set<String> reasonsSeen = new TreeSet<>();
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            long maxOff = random.nextInt(3);
            BatchAssemblyConfig config = new BatchAssemblyConfig(
                    3 * ScoredGroups.SIZE, ScoredGroups.SIZE, maxOff, 0, GroupFilters.ALL, false);
            BatchAssembler assembler = new BatchAssembler(config);
            List<TrainBatch> batches = new ArrayList<>();
            List<GroupOutcome> outcomes = new ArrayList<>();
            List<String> offered = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                if (i == 150) {
                    BatchAssemblerStateSerializer stored = BatchAssemblerStateSerializer.INSTANCE;
                    assembler = BatchAssembler.restore(
                            config, stored.deserialize(stored.getVersion(), stored.serialize(assembler.snapshot())));
                }
                long version = Math.max(0, assembler.nextStep() - random.nextInt(4));
                ScoredGroup g = RandomGroups.group(random, "s" + seed + "-" + i, version);
                offered.add(g.groupId());
                Assembled a = assembler.offer(g, i);
                batches.addAll(a.batches());
                outcomes.addAll(a.outcomes());
            }
            outcomes.addAll(assembler.flushAtEnd());

            // 1. exactly batch_size rollouts in whole groups, consecutive steps from 0
            for (int b = 0; b < batches.size(); b++) {
                assertThat(batches.get(b).step()).isEqualTo(b);
                assertThat(batches.get(b).rollouts()).isEqualTo(config.batchSize());
                assertThat(batches.get(b).groups()).hasSize(config.groupsPerBatch());
            }
            // 2. one outcome per offered group; trained outcomes are exactly the batch contents
            assertThat(outcomes).extracting(o -> o.group().groupId()).containsExactlyInAnyOrderElementsOf(offered);
            List<String> inBatches = new ArrayList<>();
            for (TrainBatch b : batches) {
                Arrays.stream(b.groups()).forEach(g -> inBatches.add(g.group().groupId() + "@" + b.step()));
            }
            assertThat(outcomes.stream()
                            .filter(o -> o.dropped() == null)
                            .map(o -> o.group().groupId() + "@" + o.trainedStep()))
                    .containsExactlyInAnyOrderElementsOf(inBatches);
            for (GroupOutcome o : outcomes) {
                reasonsSeen.add(String.valueOf(o.dropped()));
                // 4. advantages are reward − group mean
                assertThat(o.advantages()).containsExactly(Advantages.of(o.group(), false));
                if (o.dropped() == null) {
                    // 3. staleness bound
                    assertThat(o.trainedStep() - o.group().policyVersion()).isBetween(0L, maxOff);
                    // 4. no trained group without gradient
                    assertThat(GroupFilters.ALL.dropReason(o.group(), o.advantages()))
                            .isNull();
                }
            }
            assertThat(batches).as("seed " + seed + " trains something").isNotEmpty();
        }
        assertThat(reasonsSeen)
                .as("the streams exercise every fate")
                .containsExactly("difficulty", "end_of_input", "length", "null", "stale", "zero_advantage");
    }
}
