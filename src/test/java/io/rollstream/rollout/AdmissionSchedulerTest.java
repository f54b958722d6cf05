package io.rollstream.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.rollout.DifficultyPools.Pool;
import io.rollstream.rollout.SimulatedRun.World;
import io.rollstream.tasks.Problem;
import io.rollstream.types.DropReason;
import io.rollstream.types.FinishReason;
import io.rollstream.types.GroupVerdict;
import io.rollstream.types.PoolCounts;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The admission scheduler without a harness: over a simulated learner (real scheduler and batch
 * assembler, simulated time) across oversampling factors, generator parallelism, async levels and
 * filter rates, and its single decisions directly.
 */
class AdmissionSchedulerTest {

    private static final int G = 4;
    private static final int STEPS = 150;

    // ---------------------------------------------------------------- over a simulated learner

    static Stream<Arguments> matrix() {
        List<Arguments> out = new ArrayList<>();
        for (Oversampling mode : Oversampling.values()) {
            for (double o : new double[] {1.0, 1.5, 2.0}) {
                if (mode == Oversampling.ADAPTIVE && o == 1.0) {
                    continue; // adaptive needs headroom to choose from
                }
                for (int parallelism : new int[] {1, 2}) {
                    for (int async = 0; async <= 2; async++) {
                        for (double f : new double[] {0, 0.5, 0.9}) {
                            for (double passTime : new double[] {0.5, 3}) { // learner-bound, generation-bound
                                out.add(Arguments.of(mode, o, parallelism, async, f, passTime));
                            }
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} o={1} parallelism={2} async={3} filtered={4} pass={5}")
    @MethodSource("matrix")
    void almostNothingIsDroppedAsStaleAndGenerationStaysWithinTheWindowPlusHeadroom(
            Oversampling mode, double o, int parallelism, int async, double f, double passTime) throws Exception {
        int carry = o > 1 ? 1 : 0; // what the config requires of max_off_policy_steps: async + ceil(o − 1)
        SimulatedRun.Result r = new SimulatedRun(new World(
                        o, mode, parallelism, async, async + carry, 8, passTime, 1, STEPS, SimulatedRun.filterRate(f)))
                .run();
        assertThat(r.trained()).as("every step trained").isEqualTo(STEPS * 8L);
        assertThat(r.staleFraction())
                .as("stale drops of %d scored groups", r.scored())
                .isLessThanOrEqualTo(0.02);
        assertThat(r.windowOverflow())
                .as("useful groups of versions <= v beyond the window of v plus headroom")
                .isZero();
        assertThat(r.maxStalenessTrained())
                .as("carried at most ceil(o - 1) steps past the async level")
                .isLessThanOrEqualTo(async + carry);
        assertThat(r.maxKeys())
                .as("per-problem state of fresh problems: queued and in flight only")
                .isLessThanOrEqualTo(r.keyBound());
    }

    static Stream<Arguments> belowOneMinusOneOverO() {
        List<Arguments> out = new ArrayList<>();
        for (Oversampling mode : Oversampling.values()) {
            for (int parallelism : new int[] {1, 2}) {
                for (int async = 1; async <= 2; async++) {
                    for (double[] of : new double[][] {{1.5, 0}, {1.5, 0.25}, {2, 0}, {2, 0.3}, {2, 0.45}}) {
                        out.add(Arguments.of(mode, parallelism, async, of[0], of[1]));
                    }
                }
            }
        }
        return out.stream();
    }

    /**
     * With a filter rate f below 1 − 1/o, the problems kept in flight yield more than a batch of
     * useful groups per pass; with a generator whose pass takes half a learner step, the learner then
     * never waits once the pipeline is full.
     */
    @ParameterizedTest(name = "{0} parallelism={1} async={2} o={3} filtered={4}")
    @MethodSource("belowOneMinusOneOverO")
    void theLearnerNeverStarvesWhenTheFilterRateIsBelowOneMinusOneOverTheFactor(
            Oversampling mode, int parallelism, int async, double o, double f) throws Exception {
        SimulatedRun.Result r = new SimulatedRun(
                        new World(o, mode, parallelism, async, async + 1, 8, 0.5, 1, STEPS, SimulatedRun.filterRate(f)))
                .run();
        assertThat(r.learnerWaitAfterWarmUp()).isZero();
        assertThat(r.stale()).isZero();
    }

    @Test
    void withoutOversamplingTheSameFilterRateStarvesTheLearner() throws Exception {
        SimulatedRun.Result r = new SimulatedRun(
                        new World(1.0, Oversampling.FIXED, 1, 1, 1, 8, 0.5, 1, STEPS, SimulatedRun.filterRate(0.3)))
                .run();
        assertThat(r.learnerWaitAfterWarmUp())
                .as("the learner waits: the test above could fail")
                .isPositive();
    }

    @Test
    void inSynchronousModeOversamplingShortensTheLearnersWait() throws Exception {
        double[] waits = new double[3];
        double[] factors = {1.0, 1.5, 2.0};
        for (int i = 0; i < factors.length; i++) {
            waits[i] = new SimulatedRun(new World(
                            factors[i],
                            Oversampling.FIXED,
                            1,
                            0,
                            factors[i] > 1 ? 1 : 0,
                            8,
                            0.5,
                            1,
                            STEPS,
                            SimulatedRun.filterRate(0.5)))
                    .run()
                    .learnerWait();
        }
        assertThat(waits[1]).isLessThan(waits[0]);
        assertThat(waits[2]).isLessThan(waits[1]);
    }

    @Test
    void adaptiveOversamplingSpendsTheHeadroomOnlyWhenTheFiltersDropGroups() throws Exception {
        // Every group useful: fixed headroom becomes surplus beyond the window (carried to later
        // steps); adaptive learns that groups are useful and admits little more than the window needs.
        Scheduled fixed = scheduled(AdmissionGate.of(16, 8, 1, 1, Oversampling.FIXED));
        Scheduled adaptive = scheduled(AdmissionGate.of(16, 8, 1, 1, Oversampling.ADAPTIVE));
        int rounds = 20;
        for (Scheduled s : List.of(fixed, adaptive)) {
            s.poll(0, 0);
            for (int round = 1; round <= rounds; round++) {
                s.completeAll(0.5);
                s.poll(round, 0);
            }
        }
        long window = AdmissionGate.of(16, 8, 1, 1, Oversampling.FIXED).window(0, rounds - 1);
        assertThat(fixed.scheduler.useful() - window)
                .as("fixed: the whole headroom is surplus")
                .isEqualTo(8);
        assertThat(adaptive.scheduler.useful() - window)
                .as("adaptive: about what the estimate misses")
                .isBetween(0.0, 2.0);
        // No group useful: adaptive keeps the whole headroom in flight, as fixed does.
        Scheduled useless = scheduled(AdmissionGate.of(16, 8, 1, 1, Oversampling.ADAPTIVE));
        useless.poll(0, 0);
        for (int round = 0; round < rounds; round++) {
            useless.completeAll(0.0);
            useless.poll(0, 0);
        }
        assertThat(useless.scheduler.inFlight()).isEqualTo(16 + 8);
    }

    // ---------------------------------------------------------------- single decisions

    @Test
    void staleDropsTheLearnerReportsGiveTheirSlotsBack() throws Exception {
        Scheduled s = scheduled(AdmissionGate.of(2, 2, 0, 1, Oversampling.FIXED));
        s.poll(0, 0);
        s.completeAll(0.5); // both useful: the window of version 0 is full
        assertThat(s.scheduler.inFlight()).isZero();
        s.poll(0, 1); // the learner reports one of them dropped as stale: it will never be trained
        assertThat(s.scheduler.inFlight()).as("one slot back").isEqualTo(1);
        s.poll(0, 1);
        assertThat(s.scheduler.inFlight()).as("counted once").isEqualTo(1);
    }

    @Test
    void theQueueIsBoundedExceptWhileAStopIsUnderWayAndNothingIsTakenAfterTheEnd() throws Exception {
        AdmissionGate gate = AdmissionGate.of(2, 2, 0, 1, Oversampling.FIXED);
        Scheduled s = scheduled(gate);
        assertThat(s.scheduler.inputBlocked())
                .as("no version yet: the queue fills")
                .isTrue();
        assertThat(s.scheduler.queued()).isEqualTo(gate.queueCapacity(0));
        s.scheduler.polled(new AdmissionScheduler.Poll(-1, 0, false, true));
        assertThat(s.scheduler.inputBlocked())
                .as("stopping: everything before the barrier goes in")
                .isFalse();
        s.offer(5);
        assertThat(s.scheduler.queued()).isEqualTo(gate.queueCapacity(0) + 5);
        assertThat(s.store.waiting).hasSize(gate.queueCapacity(0) + 5);
        s.scheduler.polled(new AdmissionScheduler.Poll(0, 0, true, false));
        int queued = s.scheduler.queued();
        s.offer(3);
        assertThat(s.scheduler.queued())
                .as("the run is over: new problems are not taken")
                .isEqualTo(queued);
        assertThat(s.scheduler.inFlight()).as("nor admitted").isZero();
    }

    @Test
    void aProblemBackWhileItsGroupIsInFlightHoldsTheQueueUntilThatGroupIsBack() throws Exception {
        MapProblemStore store = new MapProblemStore();
        List<GroupRequest> generated = new ArrayList<>();
        AdmissionScheduler s = new AdmissionScheduler(
                settings(AdmissionGate.of(8, 8, 1, 1, Oversampling.FIXED), false),
                0,
                null,
                store,
                collecting(generated, new ArrayList<>()));
        s.polled(new AdmissionScheduler.Poll(0, 0, false, false));
        s.offer(problem("p"));
        s.offer(problem("p")); // the next epoch: p again
        s.offer(problem("q"));
        assertThat(generated).extracting(r -> r.problem().id()).containsExactly("p");
        assertThat(s.queued()).isEqualTo(2);
        s.complete(List.of(group(generated.get(0), 0.5)));
        assertThat(generated)
                .extracting(r -> r.problem().id() + "#" + r.admission())
                .as("its pool decided, p goes again (its state kept while it waits), then q")
                .containsExactly("p#0", "p#1", "q#0");
    }

    @Test
    void inSynchronousModeTheGroupsOfAStepGoToTheGeneratorAsOneWaveWhenTheGateCloses() throws Exception {
        Scheduled s = scheduled(AdmissionGate.of(3, 3, 0, 1, Oversampling.FIXED));
        s.poll(0, 0);
        assertThat(s.waves).extracting(List::size).containsExactly(3);
    }

    @Test
    void easyAndHardProblemsAreSkippedAndFreshOnesForgottenButCounted() throws Exception {
        MapProblemStore store = new MapProblemStore();
        List<GroupRequest> out = new ArrayList<>();
        AdmissionScheduler s = new AdmissionScheduler(
                settings(AdmissionGate.of(8, 8, 1, 1, Oversampling.FIXED), true),
                0,
                null,
                store,
                collecting(out, new ArrayList<>()));
        s.polled(new AdmissionScheduler.Poll(0, 0, false, false));
        store.setState("easy", ProblemState.NEW.withPool(Pool.EASY));
        s.offer(problem("easy"));
        assertThat(out).isEmpty();
        assertThat(s.queued()).isZero();

        MapProblemStore fresh = new MapProblemStore();
        List<GroupRequest> generated = new ArrayList<>();
        AdmissionScheduler forgetting = new AdmissionScheduler(
                settings(AdmissionGate.of(8, 8, 1, 1, Oversampling.FIXED), false),
                0,
                null,
                fresh,
                collecting(generated, new ArrayList<>()));
        forgetting.polled(new AdmissionScheduler.Poll(0, 0, false, false));
        forgetting.offer(problem("a"));
        forgetting.complete(List.of(group(generated.get(0), 1.0)));
        assertThat(fresh.keys()).as("a cannot come back: nothing kept").isZero();
        assertThat(forgetting.poolCounts()).isEqualTo(new PoolCounts(1, 0, 0));
        assertThat(forgetting.snapshot("job").clearedEasy())
                .as("and the count survives a restore")
                .isEqualTo(1);
    }

    @Test
    void adaptiveEstimatesComeFromEachProblemsEvidenceKeptInItsState() throws Exception {
        MapProblemStore store = new MapProblemStore();
        List<GroupRequest> generated = new ArrayList<>();
        AdmissionScheduler s = new AdmissionScheduler(
                settings(AdmissionGate.of(16, 8, 1, 1, Oversampling.ADAPTIVE), true),
                0,
                null,
                store,
                collecting(generated, new ArrayList<>()));
        s.polled(new AdmissionScheduler.Poll(0, 0, false, false));
        for (int round = 0; round < 3; round++) {
            s.offer(problem("solved"));
            s.complete(List.of(group(generated.get(generated.size() - 1), 0.75)));
        }
        assertThat(store.state("solved").rollouts())
                .as("its evidence, in its keyed state")
                .isEqualTo(3 * G);
        assertThat(store.state("solved").passes()).isEqualTo(9);
        s.offer(problem("solved"));
        s.offer(problem("new"));
        GroupRequest seen = generated.get(3);
        GroupRequest unseen = generated.get(4);
        assertThat(seen.problem().id()).isEqualTo("solved");
        assertThat(seen.usefulChance())
                .as("its own rewards move it from the task's prior")
                .isNotEqualTo(unseen.usefulChance());
        assertThat(s.expectedUsefulInFlight()).isEqualTo(seen.usefulChance() + unseen.usefulChance());
    }

    @Test
    void afterARescaleEachSubtaskTakesItsShareOfTheCounts() {
        AdmissionGate two = AdmissionGate.of(12, 8, 1, 2, Oversampling.FIXED);
        List<GateState> one =
                List.of(new GateState(0, 1, 40, 3.0, 6, 100, 2, 5, 1, new PassRates.Stats(50, 0.4, 0.2), "job"));
        GateState first = AdmissionScheduler.restoredCounts(one, two, 0);
        GateState second = AdmissionScheduler.restoredCounts(one, two, 1);
        assertThat(first.useful() + second.useful()).isEqualTo(40);
        assertThat(first.staleReturned() + second.staleReturned()).isEqualTo(3.0);
        assertThat(first.staleSeen()).isEqualTo(6);
        assertThat(first.nextSequence()).isEqualTo(100);
        assertThat(first.clearedNormal() + second.clearedNormal()).isEqualTo(5);
        assertThat(first.passRates().mean()).isEqualTo(0.4);
        assertThat(AdmissionScheduler.restoredCounts(one, AdmissionGate.of(12, 8, 1, 1, Oversampling.FIXED), 0))
                .as("same parallelism: its own")
                .isSameAs(one.get(0));
        assertThat(AdmissionScheduler.restoredCounts(List.of(), two, 0)).isNull();
    }

    // ---------------------------------------------------------------- fixtures

    private static RolloutSettings settings(AdmissionGate gate, boolean recur) {
        return new RolloutSettings(
                gate,
                new DifficultyPools(0.9, 0.1),
                rollouts -> {
                    double mean = ScoredGroup.meanReward(rollouts);
                    return new GroupVerdict(
                            new float[rollouts.length], mean == 0.0 || mean == 1.0 ? DropReason.DIFFICULTY : null);
                },
                64,
                100,
                ReAdmission.NONE,
                G,
                recur);
    }

    private static Dispatch collecting(List<GroupRequest> generated, List<List<GroupRequest>> waves) {
        return new Dispatch() {
            @Override
            public void submit(GroupRequest request) {
                generated.add(request);
            }

            @Override
            public void submitWave(List<GroupRequest> wave) {
                waves.add(wave);
                generated.addAll(wave);
            }
        };
    }

    private static Problem problem(String id) {
        return new Problem(id, "t", "q", "a");
    }

    /** A group of {@code request} whose rollouts pass at the given rate (first rollouts pass). */
    private static SampledGroup group(GroupRequest request, double passRate) {
        Rollout[] rollouts = new Rollout[G];
        for (int i = 0; i < G; i++) {
            rollouts[i] = new Rollout(
                    new int[] {3, 2},
                    new float[] {-1f, -1f},
                    "r",
                    i < passRate * G ? 1 : 0,
                    FinishReason.STOP,
                    null,
                    null);
        }
        return new SampledGroup(request, new int[] {1}, 0, 1, rollouts);
    }

    /** A scheduler with an endless supply of fresh problems and a generator that records what it gets. */
    private static final class Scheduled {
        final MapProblemStore store = new MapProblemStore();
        final List<GroupRequest> generated = new ArrayList<>();
        final List<List<GroupRequest>> waves = new ArrayList<>();
        final AdmissionScheduler scheduler;
        int next;
        int completed;

        Scheduled(AdmissionGate gate) throws Exception {
            scheduler = new AdmissionScheduler(settings(gate, false), 0, null, store, collecting(generated, waves));
            fill();
        }

        void offer(int n) throws Exception {
            for (int i = 0; i < n; i++) {
                scheduler.offer(problem("p" + next++));
            }
        }

        void fill() throws Exception {
            while (!scheduler.inputBlocked()) {
                offer(1);
            }
        }

        void poll(long version, long staleDrops) throws Exception {
            scheduler.polled(new AdmissionScheduler.Poll(version, staleDrops, false, false));
            fill();
        }

        /** Completes every group generated so far (useful unless {@code passRate} is 0 or 1). */
        void completeAll(double passRate) throws Exception {
            List<SampledGroup> groups = new ArrayList<>();
            for (GroupRequest r : generated.subList(completed, generated.size())) {
                groups.add(group(r, passRate));
            }
            completed = generated.size();
            scheduler.complete(groups);
            fill();
        }
    }

    private static Scheduled scheduled(AdmissionGate gate) throws Exception {
        return new Scheduled(gate);
    }
}
