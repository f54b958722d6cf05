package io.rollstream.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.ParameterLayout;
import io.rollstream.policy.PolicyStore;
import io.rollstream.policy.RunSignals;
import io.rollstream.tasks.Problem;
import io.rollstream.testing.FakeGroupSampler;
import io.rollstream.tokenizer.TokenizerSpec;
import io.rollstream.types.DropReason;
import io.rollstream.types.GroupVerdict;
import io.rollstream.types.ScoredGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rollout operator with a fake deterministic sampler: groups, pools, gate, restore. */
class RolloutOperatorTest {

    private static final int G = 4;
    private static final ModelConfig TINY = new ModelConfig(8, 1, 1, 4, 4, 8, ModelConfig.Positions.LEARNED);

    @TempDir
    Path dir;

    @AfterEach
    void releaseGeneration() {
        FakeGroupSampler.GATE.release(Integer.MAX_VALUE - FakeGroupSampler.GATE.availablePermits());
    }

    private PolicyStore storeWithVersions(long... versions) throws Exception {
        PolicyStore store = new PolicyStore(dir.resolve("policy").toString());
        for (long v : versions) {
            publish(store, v);
        }
        return store;
    }

    private static void publish(PolicyStore store, long version) throws Exception {
        Map<String, float[]> weights = new LinkedHashMap<>();
        ParameterLayout.shapes(TINY).forEach((name, shape) -> weights.put(name, new float[(int) shape.size()]));
        store.publish(new Checkpoint(version, TINY, TokenizerSpec.chars("ab"), weights, null, null), "test");
    }

    /** One generator, no oversampling: {@code groupsPerBatch} groups per version; per-problem state kept. */
    private static RolloutSettings settings(int groupsPerBatch, int maxAsync, GroupJudge filter) {
        return settings(
                AdmissionGate.of(groupsPerBatch, groupsPerBatch, maxAsync, 1, Oversampling.FIXED), filter, true);
    }

    private static RolloutSettings settings(AdmissionGate gate, GroupJudge filter, boolean problemsRecur) {
        return new RolloutSettings(
                gate, new DifficultyPools(0.9, 0.1), filter, 8, POLL_MILLIS, ReAdmission.NONE, G, problemsRecur);
    }

    private static final int POLL_MILLIS = 100;

    private static KeyedOneInputStreamOperatorTestHarness<String, Problem, ScoredGroup> harness(
            RolloutSettings settings, PolicyStore store) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new RolloutOperatorFactory(settings, FakeGroupSampler.factory(G), store), Problem::id, Types.STRING);
    }

    private static Problem problem(String id, String prompt) {
        return new Problem(id, "fake", prompt, "x");
    }

    /**
     * Runs mails (generation results, timers) until {@code done}, failing after 10 s. The harness's
     * processing time moves on by a poll interval whenever no mail is waiting, so policy polls
     * run as they would while the operator waits (in synchronous mode an idle poll hands the
     * admitted wave to the generator).
     */
    private static void runMailsUntil(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> h, BooleanSupplier done)
            throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!done.getAsBoolean()) {
            Optional<Mail> mail = h.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY);
            if (mail.isPresent()) {
                mail.get().run();
            } else {
                assertThat(System.currentTimeMillis()).as("waiting for mails").isLessThan(deadline);
                h.setProcessingTime(h.getProcessingTime() + POLL_MILLIS);
                Thread.sleep(2);
            }
        }
    }

    @Test
    void emitsOneScoredGroupPerAdmissionStampedWithVersionAndSubtask() throws Exception {
        try (var h = harness(settings(8, 0, GroupJudge.none()), storeWithVersions(0))) {
            h.open();
            h.processElement(problem("p1", "mix:1"), 0);
            h.processElement(problem("p2", "mix:2"), 0);
            runMailsUntil(h, () -> h.extractOutputValues().size() == 2);
            List<ScoredGroup> out = h.extractOutputValues();
            assertThat(out).extracting(ScoredGroup::groupId).containsExactlyInAnyOrder("p1#0", "p2#0");
            assertThat(out).allSatisfy(g -> {
                assertThat(g.rollouts()).hasSize(G);
                assertThat(g.policyVersion()).isZero();
                assertThat(g.generatorSubtask()).isZero();
            });
        }
    }

    /** Pass sizes the generation thread asked for, across the tests' samplers. */
    private static final List<Integer> PASSES = new CopyOnWriteArrayList<>();

    private static GroupSamplerFactory recordingPasses() {
        return (subtask, gpus) -> requests -> {
            PASSES.add(requests.size());
            return new FakeGroupSampler(G).generate(requests);
        };
    }

    @Test
    void inSynchronousModeTheGroupsOfAStepAreGeneratedTogetherWhenTheGateCloses() throws Exception {
        PASSES.clear();
        PolicyStore store = storeWithVersions(0);
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new RolloutOperatorFactory(settings(3, 0, GroupJudge.none()), recordingPasses(), store),
                Problem::id,
                Types.STRING)) {
            h.open();
            for (String id : List.of("a", "b", "c")) {
                h.processElement(problem(id, "mix:" + id), 0);
                Thread.sleep(20); // time for the generation thread to start on a lone group, were it given one
            }
            runMailsUntil(h, () -> h.extractOutputValues().size() == 3);
            assertThat(PASSES).as("one pass with the step's three groups").containsExactly(3);
        }
    }

    @Test
    void easyAndHardProblemsAreNotGeneratedAgain() throws Exception {
        try (var h = harness(settings(64, 0, GroupJudge.none()), storeWithVersions(0))) {
            h.open();
            for (Problem p : List.of(problem("e", "easy:1"), problem("h", "hard:1"), problem("n", "mix:1"))) {
                h.processElement(p, 0);
            }
            runMailsUntil(h, () -> h.extractOutputValues().size() == 3);
            for (Problem p : List.of(problem("e", "easy:1"), problem("h", "hard:1"), problem("n", "mix:1"))) {
                h.processElement(p, 0);
            }
            runMailsUntil(h, () -> h.extractOutputValues().size() == 4);
            assertThat(h.extractOutputValues())
                    .extracting(ScoredGroup::groupId)
                    .containsExactlyInAnyOrder("e#0", "h#0", "n#0", "n#1");
            ScoredGroup last = h.extractOutputValues().stream()
                    .filter(g -> g.groupId().equals("n#1"))
                    .findFirst()
                    .orElseThrow();
            assertThat(last.pools().easy()).isEqualTo(1);
            assertThat(last.pools().hard()).isEqualTo(1);
            assertThat(last.pools().normal()).isEqualTo(1);
        }
    }

    @Test
    void theGateWaitsForTheNextPolicyVersionAndPinsIt() throws Exception {
        PolicyStore store = storeWithVersions(0);
        try (var h = harness(settings(2, 0, GroupJudge.none()), store)) {
            h.open();
            h.processElement(problem("a", "mix:a"), 0);
            h.processElement(problem("b", "mix:b"), 0);
            runMailsUntil(h, () -> h.extractOutputValues().size() == 2);
            // The budget for version 0 is spent: the next problem waits until version 1 is visible.
            publish(store, 1);
            h.setProcessingTime(
                    h.getProcessingTime() + 1_000); // the poll timer becomes a mail that the waiting operator runs
            h.processElement(problem("c", "mix:c"), 0);
            runMailsUntil(h, () -> h.extractOutputValues().size() == 3);
            assertThat(h.extractOutputValues().get(2).groupId()).isEqualTo("c#0");
            assertThat(h.extractOutputValues().get(2).policyVersion()).isEqualTo(1);
        }
    }

    @Test
    void aProblemBackForItsNextEpochWaitsForItsGroupInFlightInsteadOfBeingDropped() throws Exception {
        try (var h = harness(settings(8, 0, GroupJudge.none()), storeWithVersions(0))) {
            h.open();
            FakeGroupSampler.GATE.drainPermits(); // p's first group stays in flight...
            h.processElement(problem("p", "mix:1"), 0);
            Thread release = new Thread(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                FakeGroupSampler.GATE.release(Integer.MAX_VALUE);
            });
            release.start();
            h.processElement(problem("p", "mix:1"), 0); // ...while p comes back: it waits for that group
            runMailsUntil(h, () -> h.extractOutputValues().size() == 2);
            release.join();
            assertThat(h.extractOutputValues()).extracting(ScoredGroup::groupId).containsExactly("p#0", "p#1");
        }
    }

    @Test
    void groupsThatFiltersWillDropGiveTheirSlotBack() throws Exception {
        GroupJudge dropEasy = rollouts -> new GroupVerdict(
                new float[rollouts.length], ScoredGroup.meanReward(rollouts) == 1.0 ? DropReason.DIFFICULTY : null);
        try (var h = harness(settings(2, 0, dropEasy), storeWithVersions(0))) {
            h.open();
            // Budget 2 at version 0: the easy groups are refunded, so all four are admitted.
            for (int i = 0; i < 4; i++) {
                h.processElement(problem("e" + i, "easy:" + i), 0);
            }
            runMailsUntil(h, () -> h.extractOutputValues().size() == 4);
            assertThat(h.extractOutputValues())
                    .allSatisfy(g -> assertThat(g.policyVersion()).isZero());
        }
    }

    @Test
    void pendingGroupsAreResubmittedAfterRestore() throws Exception {
        PolicyStore store = storeWithVersions(0);
        RolloutSettings settings = settings(8, 0, GroupJudge.none());
        OperatorSubtaskState snapshot;
        try (var h = harness(settings, store)) {
            h.open();
            h.processElement(problem("done", "mix:0"), 0);
            runMailsUntil(h, () -> h.extractOutputValues().size() == 1);
            FakeGroupSampler.GATE.drainPermits(); // the next groups stay pending
            h.processElement(problem("p1", "mix:1"), 0);
            h.processElement(problem("p2", "mix:2"), 0);
            snapshot = h.snapshot(1, 0);
        }
        FakeGroupSampler.GATE.release(Integer.MAX_VALUE);
        try (var restored = harness(settings, store)) {
            restored.initializeState(snapshot);
            restored.open();
            runMailsUntil(restored, () -> restored.extractOutputValues().size() == 2);
            assertThat(restored.extractOutputValues())
                    .extracting(ScoredGroup::groupId)
                    .containsExactlyInAnyOrder("p1#0", "p2#0");
            // Admission counts survived: the next admission of p1 is its second.
            restored.processElement(problem("p1", "mix:1"), 0);
            runMailsUntil(restored, () -> restored.extractOutputValues().size() == 3);
            assertThat(restored.extractOutputValues().get(2).groupId()).isEqualTo("p1#1");
        }
    }

    @Test
    void pendingGroupsAndPoolsFollowTheirKeysWhenTheGeneratorParallelismChanges() throws Exception {
        PolicyStore store = storeWithVersions(0);
        int maxParallelism = 128;
        RolloutSettings one = settings(AdmissionGate.of(8, 8, 0, 1, Oversampling.FIXED), GroupJudge.none(), true);
        RolloutSettings two = settings(AdmissionGate.of(8, 8, 0, 2, Oversampling.FIXED), GroupJudge.none(), true);
        List<String> easy = List.of("e0", "e1", "e2", "e3");
        List<String> pendingIds = List.of("p0", "p1", "p2", "p3");
        OperatorSubtaskState snapshot;
        try (var h = new KeyedOneInputStreamOperatorTestHarness<String, Problem, ScoredGroup>(
                new RolloutOperatorFactory(one, FakeGroupSampler.factory(G), store),
                Problem::id,
                Types.STRING,
                maxParallelism,
                1,
                0)) {
            h.open();
            easy.forEach(id -> process(h, problem(id, "easy:" + id)));
            runMailsUntil(h, () -> h.extractOutputValues().size() == easy.size());
            FakeGroupSampler.GATE.drainPermits(); // the next groups stay pending
            pendingIds.forEach(id -> process(h, problem(id, "mix:" + id)));
            snapshot = h.snapshot(1, 0);
        }
        FakeGroupSampler.GATE.release(Integer.MAX_VALUE);
        List<String> regenerated = new ArrayList<>();
        for (int subtask = 0; subtask < 2; subtask++) {
            int index = subtask;
            Predicate<String> owned =
                    key -> KeyGroupRangeAssignment.assignKeyToParallelOperator(key, maxParallelism, 2) == index;
            long expected = pendingIds.stream().filter(owned).count();
            try (var h = new KeyedOneInputStreamOperatorTestHarness<String, Problem, ScoredGroup>(
                    new RolloutOperatorFactory(two, FakeGroupSampler.factory(G), store),
                    Problem::id,
                    Types.STRING,
                    maxParallelism,
                    2,
                    subtask)) {
                h.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(
                        snapshot, maxParallelism, 1, 2, subtask));
                h.open();
                runMailsUntil(h, () -> h.extractOutputValues().size() == expected);
                // This subtask's easy problems kept their pool: they are not generated again.
                easy.stream().filter(owned).forEach(id -> process(h, problem(id, "easy:" + id)));
                assertThat(((RolloutOperator) h.getOperator()).scheduler().inFlight())
                        .isZero();
                h.extractOutputValues().forEach(g -> {
                    assertThat(owned.test(g.problemId()))
                            .as("%s re-submitted by its key's owner", g.groupId())
                            .isTrue();
                    regenerated.add(g.groupId());
                });
            }
        }
        assertThat(regenerated).containsExactlyInAnyOrder("p0#0", "p1#0", "p2#0", "p3#0");
    }

    @Test
    void problemsTheGateHoldsBackWaitInStateAndAreAdmittedFirstAfterARestore() throws Exception {
        PolicyStore store = storeWithVersions(0);
        RolloutSettings settings = settings(1, 0, GroupJudge.none()); // one group per version
        OperatorSubtaskState snapshot;
        try (var h = harness(settings, store)) {
            h.open();
            h.processElement(problem("a", "mix:a"), 0);
            runMailsUntil(h, () -> h.extractOutputValues().size() == 1);
            // The window of version 0 is spent: these wait for version 1, in the queue (keyed state).
            h.processElement(problem("b", "mix:b"), 0);
            h.processElement(problem("c", "mix:c"), 0);
            assertThat(h.getOperator())
                    .extracting(o -> ((RolloutOperator) o).scheduler().inFlight())
                    .isEqualTo(0L);
            assertThat(((RolloutOperator) h.getOperator()).scheduler().queued()).isEqualTo(2);
            snapshot = h.snapshot(1, 0);
        }
        publish(store, 1);
        publish(store, 2);
        try (var h = harness(settings, store)) {
            h.initializeState(snapshot);
            h.open();
            runMailsUntil(h, () -> h.extractOutputValues().size() == 2); // version 2 has room for both
            assertThat(h.extractOutputValues()).extracting(ScoredGroup::groupId).containsExactly("b#0", "c#0");
        }
    }

    @Test
    void aGroupIsGeneratedWithTheNewestVersionWhenItsGenerationStartsNotWhenItWasAdmitted() throws Exception {
        PolicyStore store = storeWithVersions(0);
        try (var h = harness(settings(4, 1, GroupJudge.none()), store)) {
            h.open();
            FakeGroupSampler.GATE.drainPermits(); // the generator is busy with an earlier pass
            h.processElement(problem("a", "mix:a"), 0);
            long deadline = System.currentTimeMillis() + 10_000;
            while (!FakeGroupSampler.GATE.hasQueuedThreads()) { // the generation thread took a's pass (version 0)
                assertThat(System.currentTimeMillis()).isLessThan(deadline);
                Thread.sleep(5);
            }
            h.processElement(problem("b", "mix:b"), 0); // admitted under version 0, queued behind that pass
            publish(store, 1);
            h.setProcessingTime(h.getProcessingTime() + 1_000); // the poll sees version 1
            runMailsUntil(
                    h, () -> ((RolloutOperator) h.getOperator()).scheduler().newestVersion() == 1);
            FakeGroupSampler.GATE.release(Integer.MAX_VALUE);
            runMailsUntil(h, () -> h.extractOutputValues().size() == 2);
            assertThat(h.extractOutputValues())
                    .extracting(ScoredGroup::groupId, ScoredGroup::policyVersion)
                    .containsExactly(Tuple.tuple("a#0", 0L), Tuple.tuple("b#0", 1L));
        }
    }

    @Test
    void theKeyedStateOfFreshProblemsStaysBoundedWhileProblemsThatRecurKeepTheirs() throws Exception {
        int problems = 300;
        for (boolean recur : new boolean[] {false, true}) {
            RolloutSettings settings =
                    settings(AdmissionGate.of(8, 8, 1, 1, Oversampling.FIXED), GroupJudge.none(), recur);
            PolicyStore store = new PolicyStore(dir.resolve("bounded-" + recur).toString());
            publish(store, 0);
            try (var h = harness(settings, store)) {
                h.open();
                int maxEntries = 0;
                for (int i = 0; i < problems; i++) {
                    long versionNeeded = i / 8; // the window of version v admits the problems of steps v and v + 1
                    if (versionNeeded > 0
                            && new RunSignals(store).latest().orElseThrow().version() < versionNeeded) {
                        publish(store, versionNeeded);
                    }
                    h.processElement(problem("p" + i, "mix:" + i), 0);
                    int done = i + 1;
                    runMailsUntil(h, () -> h.extractOutputValues().size() == done);
                    maxEntries = Math.max(maxEntries, h.numKeyedStateEntries());
                }
                if (recur) {
                    assertThat(h.numKeyedStateEntries())
                            .as("pool, admissions and evidence of every problem")
                            .isEqualTo(problems);
                } else {
                    assertThat(h.numKeyedStateEntries())
                            .as("nothing left once every group is back")
                            .isZero();
                    assertThat(maxEntries)
                            .as("only what is queued or in flight")
                            .isLessThanOrEqualTo(3);
                    assertThat(((RolloutOperator) h.getOperator())
                                    .scheduler()
                                    .poolCounts()
                                    .normal())
                            .as("pool counts still count the cleared problems")
                            .isEqualTo(problems);
                }
            }
        }
    }

    private static void process(KeyedOneInputStreamOperatorTestHarness<String, Problem, ScoredGroup> h, Problem p) {
        try {
            h.processElement(p, 0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
