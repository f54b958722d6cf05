package io.rollstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.config.ConfigLoader;
import io.rollstream.config.RunConfig;
import io.rollstream.device.Placement;
import io.rollstream.job.LocalRun;
import io.rollstream.job.PlanFactory;
import io.rollstream.job.RunPaths;
import io.rollstream.output.JsonLines;
import io.rollstream.policy.PolicyStore;
import io.rollstream.rollout.GroupRequest;
import io.rollstream.rollout.ModelGroupSampler;
import io.rollstream.rollout.SampledGroup;
import io.rollstream.tasks.Task;
import io.rollstream.types.Rollout;
import io.rollstream.types.StepMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How much of the generation engine's speed survives the Flink job, and how busy the learner is
 * when generation keeps up. One process, one config, three measurements:
 *
 * <ol>
 *   <li><b>generation through the job</b>: the pipeline runs on a local mini-cluster from an
 *       untrained policy with the zero-advantage filter on. Nearly every group of an untrained
 *       policy scores 0 and is dropped at batch assembly (its admission slot comes back), so the
 *       learner is nearly idle, and the learning rate is 0: the few groups that do solve their
 *       problem make a step now and then, but the policy stays the engine loop's, whose
 *       completions a learning policy would soon shorten (by a sixth within a minute, measured).
 *       Generation is the job's main work: source, keyed rollout operator,
 *       generation thread, mailbox, scoring, batch assembly and the rollouts.jsonl sink. A watcher
 *       tails {@code rollouts.jsonl} (flushed per group) and measures steady-state rollout tokens/s
 *       from {@link #WARMUP_MILLIS} after the first groups it sees to the last, over
 *       {@code generationMinutes}.
 *   <li><b>engine in a loop</b>: the same sampler class the rollout operator uses, on the same
 *       policy, problems, batch rows and sampling settings, called directly for as many groups;
 *       timed after its first pass, as the job is.
 *   <li><b>learner busy fraction</b>: a second job with every group kept (no content filters) and
 *       the gate open for the whole run, so generation runs ahead and the learner should never
 *       wait: training time over training plus waiting time in {@code metrics.jsonl}, after the
 *       first step.
 * </ol>
 *
 * {@code pipeline_efficiency} = job tokens/s ÷ engine tokens/s (target ≥ 0.85);
 * {@code learner_busy_fraction} target ≥ 0.9. Both ran with the same intra-op thread setting.
 * The config must use a reward-based algorithm (GRPO): distillation refuses the zero-advantage filter.
 */
public final class PipelineBenchmark {

    /**
     * The generation-bound job is timed from this long after its first groups: its JIT compiler
     * still takes a sixth of a core 45 s in, which with one generator runs on the spare core and
     * with two takes from generation. The engine loop is timed warm as well.
     */
    static final long WARMUP_MILLIS = 20_000;
    /** Poll interval of the rollouts.jsonl watcher. */
    private static final long WATCH_MILLIS = 20;
    /** More steps than the generation run (whose groups are all dropped) can reach: it ends by its time limit. */
    private static final int UNREACHED_STEPS = 1_000_000;

    private final Path configFile;
    private final List<String> overrides;
    private final Path workDir;
    private final int generationMinutes;
    private final int learnerSteps;

    /**
     * @param configFile the run config benchmarked (its model, task, rollout and batch settings)
     * @param overrides {@code --set} overrides applied before the benchmark's own
     * @param workDir scratch directory for the two run directories
     * @param generationMinutes length of the generation-bound job, at least 1
     * @param learnerSteps learner steps of the learner-bound job, at least 2
     */
    public PipelineBenchmark(
            Path configFile, List<String> overrides, Path workDir, int generationMinutes, int learnerSteps) {
        if (generationMinutes < 1 || learnerSteps < 2) {
            throw new IllegalArgumentException("the generation run needs at least 1 minute and the learner run at least"
                    + " 2 steps, got " + generationMinutes + " and " + learnerSteps);
        }
        this.configFile = configFile;
        this.overrides = overrides;
        this.workDir = workDir;
        this.generationMinutes = generationMinutes;
        this.learnerSteps = learnerSteps;
    }

    /** Settings shared by both jobs: an untrained policy, no warm start, one held-out problem at the end. */
    private static final List<String> COMMON = List.of(
            "sft.steps=0",
            "model.init=null",
            "eval.every_steps=0",
            "eval.problems=1",
            "job.web_ui=false",
            "output.rollouts_log=all");

    /** Passes' worth of groups the generation-bound job keeps in flight: the generator never runs dry. */
    static final int PASSES_IN_FLIGHT = 3;

    /**
     * The generation-bound job: nearly every group is dropped as zero-advantage, the policy's
     * weights never change (learning rate 0), and the gate keeps {@value #PASSES_IN_FLIGHT}
     * passes' worth of groups in flight, as a run whose learner keeps up would.
     */
    static List<String> generationOverrides(RunConfig user, int minutes) {
        int groupsPerPass =
                Math.max(1, user.rollout().maxBatchRows() / user.rollout().rolloutsPerExample());
        // Nothing comes back useful: the gate keeps the window, (async level + 1) batches, plus the
        // oversampling headroom in flight.
        int headroom = user.problemsPerBatch() - user.groupsPerBatch();
        int asyncLevel = Math.max(1, ceilDiv(PASSES_IN_FLIGHT * groupsPerPass - headroom, user.groupsPerBatch()) - 1);
        List<String> o = new ArrayList<>(COMMON);
        o.addAll(List.of(
                "job.max_minutes=" + minutes,
                "job.max_steps=" + UNREACHED_STEPS,
                "buffer.zero_advantage_filter=true",
                "async.max_async_level=" + asyncLevel,
                "async.max_off_policy_steps=" + (asyncLevel + user.carrySteps()),
                "learner.learning_rate=0"));
        return o;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** The learner-bound job: every group kept, the gate open for the whole run. */
    static List<String> learnerOverrides(int steps) {
        List<String> o = new ArrayList<>(COMMON);
        o.addAll(List.of(
                "job.max_minutes=0",
                "job.max_steps=" + steps,
                "buffer.zero_advantage_filter=false",
                "buffer.online_difficulty_filtering=false",
                "buffer.filter_truncated=false",
                "buffer.oversampling_factor=1.0",
                "async.max_async_level=" + steps,
                "async.max_off_policy_steps=" + steps));
        return o;
    }

    public Map<String, Object> run() throws Exception {
        RunConfig generation = generationConfig(List.of());
        Generation measured = throughTheJob(generation, workDir.resolve("generation"));
        int groups = measured.groups();
        double jobTokensPerSecond = measured.tokensPerSecond();
        double engineTokensPerSecond = engineTokensPerSecond(
                generation, measured.store(), groups, generation.rollout().parallelism());

        RunConfig learner = load(learnerOverrides(learnerSteps));
        Path learnerDir = workDir.resolve("learner");
        runQuietly(learner, learnerDir);
        double busy = learnerBusyFraction(
                RunPaths.under(learnerDir, learner.policyStore().path()).metrics());

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "pipeline");
        out.put("config", configFile.toString());
        out.put("rollout_parallelism", generation.rollout().parallelism());
        out.put("rollouts_per_example", generation.rollout().rolloutsPerExample());
        out.put("groups", groups);
        out.put("engine_tokens_per_s", round(engineTokensPerSecond));
        out.put("pipeline_tokens_per_s", round(jobTokensPerSecond));
        out.put("pipeline_efficiency", round(jobTokensPerSecond / engineTokensPerSecond));
        out.put("learner_steps", learnerSteps);
        out.put("learner_busy_fraction", round(busy));
        return out;
    }

    /** The run config benchmarked. */
    Path configFile() {
        return configFile;
    }

    /** The generation-bound job's config: the user's, then {@code more} overrides, then the benchmark's. */
    RunConfig generationConfig(List<String> more) {
        List<String> all = new ArrayList<>(more);
        all.addAll(generationOverrides(load(more), generationMinutes));
        return load(all);
    }

    /** What the generation-bound job did: steady rollout tokens/s, groups seen, and its policy store. */
    record Generation(double tokensPerSecond, int groups, PolicyStore store) {}

    /** Runs the generation-bound job {@code generation} in {@code runDir} and times its rollouts.jsonl. */
    static Generation throughTheJob(RunConfig generation, Path runDir) throws Exception {
        RunPaths paths = RunPaths.under(runDir, generation.policyStore().path());
        RolloutWatcher watcher = new RolloutWatcher(paths.rollouts(), WARMUP_MILLIS);
        Thread watch = new Thread(watcher, "bench-rollouts-watcher");
        watch.setDaemon(true);
        watch.start();
        try {
            runQuietly(generation, runDir);
        } finally {
            watcher.stop();
            watch.join();
        }
        int groups = watcher.groups();
        if (groups < 3) {
            throw new IllegalStateException("the generation run produced only " + groups + " groups");
        }
        return new Generation(watcher.steadyTokensPerSecond(), groups, new PolicyStore(paths.policyStore()));
    }

    private RunConfig load(List<String> benchmarkOverrides) {
        List<String> all = new ArrayList<>(overrides);
        all.addAll(benchmarkOverrides);
        return ConfigLoader.load(configFile, all);
    }

    private static void runQuietly(RunConfig config, Path runDir) throws Exception {
        try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
            LocalRun.run(config, runDir, null, quiet);
        }
    }

    /**
     * {@code engines} samplers of the rollout operator, each called directly in a loop on its own
     * thread over its share of {@code groups} problems, started together after their warm-up pass:
     * their summed tokens/s is what as many generators could do on this machine with nothing else
     * running (with two engines on two cores it shows what the hardware allows for scaling).
     */
    static double engineTokensPerSecond(RunConfig config, PolicyStore store, int groups, int engines) throws Exception {
        CyclicBarrier warm = new CyclicBarrier(engines);
        ExecutorService pool = Executors.newFixedThreadPool(engines);
        try {
            List<Future<Double>> rates = new ArrayList<>();
            for (int e = 0; e < engines; e++) {
                int first = e * (groups / engines);
                rates.add(pool.submit(() -> engineLoop(config, store, first, groups / engines, warm)));
            }
            double total = 0;
            for (Future<Double> rate : rates) {
                total += rate.get();
            }
            return total;
        } finally {
            pool.shutdownNow();
        }
    }

    /** One sampler over problems {@code first ..< first + groups}; tokens/s after its warm-up pass. */
    private static double engineLoop(RunConfig config, PolicyStore store, int first, int groups, CyclicBarrier warmedUp)
            throws Exception {
        Task task = PlanFactory.task(config);
        int groupSize = config.rollout().rolloutsPerExample();
        int groupsPerPass = Math.max(1, config.rollout().maxBatchRows() / groupSize);
        try (ModelGroupSampler sampler = new ModelGroupSampler(
                store,
                task.verifier(),
                config.rollout().sampling(),
                groupSize,
                config.rollout().maxBatchRows(),
                config.job().seed(),
                Placement.cpu())) {
            long tokens = 0;
            long timedFrom = 0;
            int next = first;
            boolean warm = false;
            while (next < first + groups) {
                List<GroupRequest> pass = new ArrayList<>(groupsPerPass);
                for (int i = 0; i < groupsPerPass && next < first + groups; i++, next++) {
                    pass.add(GroupRequest.admitted(task.problem(next), 0, next, 1)
                            .pinnedTo(0));
                }
                List<SampledGroup> done = sampler.generate(pass);
                if (!warm) {
                    warm = true; // the first pass loads the policy and warms PyTorch up, as in the job
                    warmedUp.await();
                    timedFrom = System.nanoTime();
                    continue;
                }
                for (SampledGroup g : done) {
                    tokens += completionTokens(g.rollouts());
                }
            }
            double seconds = (System.nanoTime() - timedFrom) / 1e9;
            if (tokens == 0 || seconds <= 0) {
                throw new IllegalStateException("the engine loop generated nothing after its warm-up pass: the"
                        + " generation run produced too few groups (" + groups + ")");
            }
            return tokens / seconds;
        }
    }

    private static long completionTokens(Rollout[] rollouts) {
        long n = 0;
        for (Rollout r : rollouts) {
            n += r.tokens().length;
        }
        return n;
    }

    /** Training time ÷ (training + waiting) over every step after the first. */
    static double learnerBusyFraction(Path metrics) throws IOException {
        double busy = 0;
        double waited = 0;
        for (StepMetrics m : JsonLines.read(metrics, StepMetrics.class)) {
            if (m.isRl() && m.step() > 0) {
                busy += m.value(StepMetrics::updates, StepMetrics.Updates::stepTimeS, 0);
                waited += m.value(StepMetrics::throughput, StepMetrics.Throughput::learnerWaitS, 0);
            }
        }
        return busy + waited > 0 ? busy / (busy + waited) : 0;
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /**
     * Tails rollouts.jsonl while the job runs, reading only the bytes appended since the last poll:
     * the first poll that sees groups starts the clock, and only groups seen after it count, so
     * start-up and the first pass are not measured.
     */
    static final class RolloutWatcher implements Runnable {
        private final Path file;
        private final long warmupNanos;
        private long firstSeenNanos = -1;
        private boolean timing;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final JsonLines.Tail tail;
        private volatile int groups;
        private long startNanos;
        private long lastNanos;
        private long tokensAfterStart;

        /** @param warmupMillis how long after the first groups the clock starts (the job's warm-up) */
        RolloutWatcher(Path file, long warmupMillis) {
            this.file = file;
            this.tail = JsonLines.Tail.fromStart(file);
            this.warmupNanos = warmupMillis * 1_000_000L;
        }

        @Override
        public void run() {
            try {
                while (running.get()) {
                    poll();
                    Thread.sleep(WATCH_MILLIS);
                }
                poll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + file, e);
            }
        }

        void poll() throws IOException {
            List<JsonNode> fresh = tail.poll(); // only complete lines; a line being written waits
            long now = System.nanoTime();
            boolean counted = timing; // lines seen by the poll that starts the clock came before it
            for (JsonNode group : fresh) {
                if (counted) {
                    tokensAfterStart += group.path("completion_tokens").asLong();
                }
                groups++;
            }
            if (firstSeenNanos < 0 && groups > 0) {
                firstSeenNanos = now;
            }
            if (counted) {
                lastNanos = now;
            } else if (firstSeenNanos >= 0 && now - firstSeenNanos >= warmupNanos) {
                timing = true;
                startNanos = now;
            }
        }

        void stop() {
            running.set(false);
        }

        int groups() {
            return groups;
        }

        double steadyTokensPerSecond() {
            double seconds = (lastNanos - startNanos) / 1e9;
            if (seconds <= 0 || tokensAfterStart == 0) {
                throw new IllegalStateException("rollouts.jsonl grew only once: nothing to time");
            }
            return tokensAfterStart / seconds;
        }
    }
}
