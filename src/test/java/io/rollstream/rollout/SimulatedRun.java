package io.rollstream.rollout;

import io.rollstream.batch.Advantages;
import io.rollstream.batch.Assembled;
import io.rollstream.batch.BatchAssembler;
import io.rollstream.batch.BatchAssemblyConfig;
import io.rollstream.batch.GroupFilters;
import io.rollstream.tasks.Problem;
import io.rollstream.types.DropReason;
import io.rollstream.types.FinishReason;
import io.rollstream.types.GroupOutcome;
import io.rollstream.types.GroupVerdict;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;
import io.rollstream.types.TrainBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A discrete-event simulation of the pipeline around real {@link AdmissionScheduler}s and a real
 * {@link BatchAssembler}: generators whose forward pass takes a fixed time however many groups it
 * holds (continuous batching on an accelerator), a source that keeps every queue full, and a learner
 * whose step takes a fixed time and publishes the next version when it ends (the version's manifest
 * carries the run's stale drops, as the learner writes it). Only time and the model are simulated.
 */
final class SimulatedRun {

    /**
     * The simulated world.
     *
     * @param oversampling the oversampling factor
     * @param mode fixed or adaptive
     * @param parallelism generator subtasks
     * @param maxAsync max_async_level
     * @param maxOffPolicy max_off_policy_steps
     * @param groupsPerBatch groups per learner step
     * @param passTime time of one generation pass
     * @param stepTime time of one learner step
     * @param steps learner steps to run
     * @param problems what each problem's groups look like
     */
    record World(
            double oversampling,
            Oversampling mode,
            int parallelism,
            int maxAsync,
            int maxOffPolicy,
            int groupsPerBatch,
            double passTime,
            double stepTime,
            int steps,
            Problems problems) {}

    /** Rewards of the groups of problem {@code index}. */
    interface Problems {
        double[] rewards(long index, long admission, int groupSize, SplittableRandom random);
    }

    /**
     * Problems of which a fraction {@code f} is filtered, spread evenly over the sequence (problem k
     * is filtered when ⌊(k + 1)·f⌋ > ⌊k·f⌋): a filtered group is all wrong, a useful one half right.
     */
    static Problems filterRate(double f) {
        return (index, admission, g, random) -> {
            double[] r = new double[g];
            if (Math.floor((index + 1) * f) == Math.floor(index * f)) {
                for (int i = 0; i < g; i++) {
                    r[i] = i % 2;
                }
            }
            return r;
        };
    }

    /** Problems whose pass rates follow Beta(a, b); each rollout passes with its problem's rate. */
    static Problems betaPassRates(double a, double b, long seed) {
        return (index, admission, g, random) -> {
            SplittableRandom own = new SplittableRandom(seed * 1_000_003 + index);
            double p = beta(a, b, own);
            double[] r = new double[g];
            for (int i = 0; i < g; i++) {
                r[i] = random.nextDouble() < p ? 1 : 0;
            }
            return r;
        };
    }

    private static double beta(double a, double b, SplittableRandom random) {
        double x = gamma(a, random);
        return x / (x + gamma(b, random));
    }

    /** Marsaglia–Tsang gamma sampling (shape ≥ 1; boosted below 1). */
    private static double gamma(double shape, SplittableRandom random) {
        if (shape < 1) {
            return gamma(shape + 1, random) * Math.pow(random.nextDouble(), 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = normal(random);
            double v = Math.pow(1 + c * x, 3);
            if (v > 0 && Math.log(random.nextDouble()) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }

    private static double normal(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /**
     * What the run produced.
     *
     * @param scored groups generated
     * @param trained groups trained
     * @param stale groups dropped as stale
     * @param filtered groups dropped by the content filters
     * @param learnerWait time the learner waited for batches
     * @param learnerWaitAfterWarmUp the same, not counting the first max_async_level + 2 steps
     * @param time simulated time at the end
     * @param maxStalenessTrained the largest step − version of a trained group
     * @param windowOverflow how far the useful groups of versions ≤ v ever exceeded the window of v plus
     *     the headroom (0 when the bound holds)
     * @param maxStepWait the longest wait for one batch after warm-up, in generation passes (rounded)
     * @param generatedPerTrained completion tokens generated per token trained
     * @param maxKeys the most problems any subtask held state for
     * @param keyBound what the scheduler may hold per subtask: its queue, its window and headroom in
     *     flight, and a batch of slack
     */
    record Result(
            long scored,
            long trained,
            long stale,
            long filtered,
            double learnerWait,
            double learnerWaitAfterWarmUp,
            double time,
            long maxStalenessTrained,
            long windowOverflow,
            long maxStepWait,
            double generatedPerTrained,
            int maxKeys,
            int keyBound) {

        double staleFraction() {
            return (double) stale / scored;
        }
    }

    private static final int G = 4;

    private final World world;
    private final AdmissionGate gate;
    private final List<AdmissionScheduler> schedulers = new ArrayList<>();
    private final List<MapProblemStore> stores = new ArrayList<>();
    private final List<Deque<List<GroupRequest>>> work = new ArrayList<>();
    private final List<Deque<Boolean>> wholeWork = new ArrayList<>();
    private final boolean[] busy;
    private final long[] nextProblem;
    private final BatchAssembler assembler;
    private final Deque<TrainBatch> batches = new ArrayDeque<>();
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final SplittableRandom random = new SplittableRandom(7);
    private final TreeMap<Long, Long> usefulByVersion = new TreeMap<>();
    private double now;
    private long eventOrder;
    private long version;
    private long staleDrops;
    private boolean learnerBusy;
    private double idleSince;
    private double wait;
    private double waitAfterWarmUp;
    private double longestStepWait;
    private long scored;
    private long trained;
    private long stale;
    private long filtered;
    private long scoredTokens;
    private long trainedTokens;
    private long maxStaleness;
    private int maxKeys;

    private record Event(double time, long order, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int byTime = Double.compare(time, o.time);
            return byTime != 0 ? byTime : Long.compare(order, o.order);
        }
    }

    SimulatedRun(World world) {
        this.world = world;
        int problemsPerBatch = (int) (world.oversampling() * world.groupsPerBatch());
        gate = AdmissionGate.of(
                problemsPerBatch, world.groupsPerBatch(), world.maxAsync(), world.parallelism(), world.mode());
        RolloutSettings settings = new RolloutSettings(
                gate,
                new DifficultyPools(null, null),
                rollouts -> {
                    float[] advantages = Advantages.of(rollouts, Advantages.Config.GROUP_MEAN);
                    return new GroupVerdict(advantages, GroupFilters.ALL.dropReason(rollouts, advantages));
                },
                1 << 20,
                1,
                ReAdmission.NONE,
                G,
                false);
        busy = new boolean[world.parallelism()];
        nextProblem = new long[world.parallelism()];
        for (int i = 0; i < world.parallelism(); i++) {
            int subtask = i;
            MapProblemStore store = new MapProblemStore();
            Deque<List<GroupRequest>> queue = new ArrayDeque<>();
            Deque<Boolean> whole = new ArrayDeque<>();
            stores.add(store);
            work.add(queue);
            wholeWork.add(whole);
            schedulers.add(new AdmissionScheduler(settings, subtask, null, store, new Dispatch() {
                @Override
                public void submit(GroupRequest request) {
                    queue.add(List.of(request));
                    whole.add(false);
                    later(0, () -> startPass(subtask));
                }

                @Override
                public void submitWave(List<GroupRequest> wave) {
                    queue.add(wave);
                    whole.add(true);
                    later(0, () -> startPass(subtask));
                }
            }));
        }
        assembler = new BatchAssembler(new BatchAssemblyConfig(
                world.groupsPerBatch() * G, G, world.maxOffPolicy(), world.steps(), GroupFilters.ALL, false));
    }

    private void later(double delay, Runnable action) {
        events.add(new Event(now + delay, eventOrder++, action));
    }

    Result run() throws Exception {
        for (int i = 0; i < schedulers.size(); i++) {
            schedulers.get(i).polled(new AdmissionScheduler.Poll(0, 0, false, false));
            feed(i);
        }
        while (!events.isEmpty() && version < world.steps()) {
            Event e = events.poll();
            now = e.time();
            e.action().run();
            for (int i = 0; i < schedulers.size(); i++) {
                feed(i);
            }
            for (MapProblemStore s : stores) {
                maxKeys = Math.max(maxKeys, s.keys());
            }
        }
        long overflow = 0;
        long cumulative = 0;
        for (var entry : usefulByVersion.entrySet()) {
            cumulative += entry.getValue();
            long bound = (entry.getKey() + world.maxAsync() + 1) * world.groupsPerBatch() + gate.headroom();
            overflow = Math.max(overflow, cumulative - bound);
        }
        return new Result(
                scored,
                trained,
                stale,
                filtered,
                wait,
                waitAfterWarmUp,
                now,
                maxStaleness,
                overflow,
                Math.round(longestStepWait / world.passTime()),
                (double) scoredTokens / Math.max(1, trainedTokens),
                maxKeys,
                gate.queueCapacity(0) + (world.maxAsync() + 2) * gate.share(0) + gate.headroomShare(0));
    }

    /** The source keeps every queue full (it is faster than generation). */
    private void feed(int subtask) {
        AdmissionScheduler s = schedulers.get(subtask);
        try {
            while (!s.inputBlocked() && version < world.steps()) {
                long index = nextProblem[subtask]++;
                s.offer(new Problem("s" + subtask + "/" + index, "sim", "q", "a"));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void startPass(int subtask) {
        if (busy[subtask] || work.get(subtask).isEmpty()) {
            return;
        }
        Deque<List<GroupRequest>> queue = work.get(subtask);
        Deque<Boolean> whole = wholeWork.get(subtask);
        List<GroupRequest> pass = new ArrayList<>(queue.poll());
        boolean isWave = whole.poll();
        while (!isWave && !queue.isEmpty() && !whole.peek()) {
            pass.addAll(queue.poll());
            whole.poll();
        }
        long pinned = schedulers.get(subtask).newestVersion(); // the newest version when the pass starts
        busy[subtask] = true;
        later(world.passTime(), () -> finishPass(subtask, pass, pinned));
    }

    private void finishPass(int subtask, List<GroupRequest> pass, long pinned) {
        busy[subtask] = false;
        try {
            List<SampledGroup> groups = new ArrayList<>(pass.size());
            for (GroupRequest r : pass) {
                long index = Long.parseLong(
                        r.problem().id().substring(r.problem().id().indexOf('/') + 1));
                double[] rewards = world.problems().rewards(index, r.admission(), G, random);
                Rollout[] rollouts = new Rollout[G];
                for (int i = 0; i < G; i++) {
                    rollouts[i] = new Rollout(
                            new int[] {3, 2}, new float[] {-1f, -1f}, "r", rewards[i], FinishReason.STOP, null, null);
                }
                groups.add(new SampledGroup(r, new int[] {1}, pinned, 1, rollouts));
            }
            for (ScoredGroup stamped : schedulers.get(subtask).complete(groups)) {
                record(assembler.offer(stamped, (long) (now * 1000)));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        startPass(subtask);
        startStep();
    }

    private void record(Assembled out) {
        for (GroupOutcome o : out.outcomes()) {
            if (o.dropped() == null) {
                trained++;
                trainedTokens += o.group().completionTokens();
                maxStaleness =
                        Math.max(maxStaleness, o.trainedStep() - o.group().policyVersion());
            } else if (o.dropped() == DropReason.STALE) {
                stale++;
            } else {
                filtered++;
            }
        }
        batches.addAll(out.batches());
        // every arrival that the filters keep is a useful group of its version
        for (GroupOutcome o : out.outcomes()) {
            if (o.dropped() == null || o.dropped() == DropReason.STALE) {
                usefulByVersion.merge(o.group().policyVersion(), 1L, Long::sum);
            }
        }
        scored = assembler.totals().scored();
        scoredTokens = assembler.totals().scoredTokens();
    }

    private void startStep() {
        if (learnerBusy || batches.isEmpty()) {
            return;
        }
        TrainBatch batch = batches.poll();
        double waited = now - idleSince;
        wait += waited;
        if (batch.step() > world.maxAsync() + 1) { // warm-up: the first batches wait for the first passes
            waitAfterWarmUp += waited;
            longestStepWait = Math.max(longestStepWait, waited);
        }
        learnerBusy = true;
        long reported = batch.stats().totals().droppedStale();
        later(world.stepTime(), () -> {
            learnerBusy = false;
            idleSince = now;
            version = batch.step() + 1;
            staleDrops = reported;
            try {
                for (AdmissionScheduler s : schedulers) {
                    s.polled(new AdmissionScheduler.Poll(version, staleDrops, version >= world.steps(), false));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            startStep();
        });
    }
}
