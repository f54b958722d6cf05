package io.rollstream.bench;

import ai.djl.Device;

import io.rollstream.common.Json;
import io.rollstream.config.ConfigLoader;
import io.rollstream.config.RunConfig;
import io.rollstream.job.LocalRun;
import io.rollstream.job.PlanFactory;
import io.rollstream.job.RunPaths;
import io.rollstream.policy.PolicyStore;
import io.rollstream.rollout.GroupRequest;
import io.rollstream.rollout.ModelGroupSampler;
import io.rollstream.tasks.Task;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How much of the generation engine's speed survives the Flink job, and how busy the learner is
 * when generation keeps up. One process, one config, two measurements:
 *
 * <ol>
 *   <li><b>through the job</b>: the pipeline runs on a local mini-cluster with every group kept
 *       (no content filters) and the admission gate opened for the whole run
 *       ({@code max_async_level = max_steps}), so the generators never wait for the learner. A
 *       watcher tails {@code rollouts.jsonl} (flushed per group) and measures steady-state rollout
 *       tokens/s from the first group it sees to the last. The learner's busy fraction comes from
 *       {@code metrics.jsonl}: training time over training plus waiting time, after the first step.
 *   <li><b>engine in a loop</b>: the same sampler class the rollout operator uses, on the same
 *       policy version 0, problems, batch rows and sampling settings, called directly; tokens/s
 *       over the same number of groups, measured after the first pass (warm-up) as well.
 * </ol>
 *
 * {@code pipeline_efficiency} = job tokens/s ÷ engine tokens/s (target ≥ 0.85);
 * {@code learner_busy_fraction} target ≥ 0.9. Both ran with the same intra-op thread setting.
 */
public final class PipelineBenchmark {

    /** Poll interval of the rollouts.jsonl watcher. */
    private static final long WATCH_MILLIS = 20;

    private final Path configFile;
    private final List<String> overrides;
    private final Path workDir;

    /**
     * @param configFile the run config benchmarked (its model, task, rollout and batch settings)
     * @param overrides {@code --set} overrides applied before the benchmark's own
     * @param workDir scratch run directory (must not exist or be empty)
     */
    public PipelineBenchmark(Path configFile, List<String> overrides, Path workDir) {
        this.configFile = configFile;
        this.overrides = overrides;
        this.workDir = workDir;
    }

    /**
     * The benchmark's own settings on top of the user's: no warm start, evaluation of one problem at the
     * end only (it costs nothing measurable), no filters, the gate open for the whole run.
     */
    static List<String> benchmarkOverrides(RunConfig user) {
        int steps = user.job().maxSteps();
        return List.of("sft.steps=0", "model.init=null", "eval.every_steps=0", "eval.problems=1", "job.web_ui=false",
                "job.max_minutes=0", "buffer.zero_advantage_filter=false", "buffer.online_difficulty_filtering=false",
                "buffer.filter_truncated=false", "buffer.oversampling_factor=1.0", "async.max_async_level=" + steps,
                "async.max_off_policy_steps=" + steps, "output.rollouts_log=all");
    }

    public Map<String, Object> run() throws Exception {
        RunConfig user = ConfigLoader.load(configFile, overrides);
        List<String> all = new ArrayList<>(overrides);
        all.addAll(benchmarkOverrides(user));
        RunConfig config = ConfigLoader.load(configFile, all);
        RunPaths paths = RunPaths.under(workDir, config.policyStore().path());

        RolloutWatcher watcher = new RolloutWatcher(paths.rollouts());
        Thread watch = new Thread(watcher, "bench-rollouts-watcher");
        watch.setDaemon(true);
        watch.start();
        long jobStart = System.nanoTime();
        try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
            LocalRun.run(config, workDir, null, quiet);
        } finally {
            watcher.stop();
            watch.join();
        }
        double jobSeconds = (System.nanoTime() - jobStart) / 1e9;
        int groups = watcher.groups();
        if (groups < 3) {
            throw new IllegalStateException("the job produced only " + groups + " groups: raise job.max_steps");
        }

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "pipeline");
        out.put("config", configFile.toString());
        out.put("rollout_parallelism", config.rollout().parallelism());
        out.put("steps", config.job().maxSteps());
        out.put("groups", groups);
        out.put("rollouts_per_example", config.rollout().rolloutsPerExample());
        double jobTokensPerSecond = watcher.steadyTokensPerSecond();
        double engineTokensPerSecond = engineTokensPerSecond(config, new PolicyStore(paths.policyStore()), groups);
        out.put("engine_tokens_per_s", round(engineTokensPerSecond));
        out.put("pipeline_tokens_per_s", round(jobTokensPerSecond));
        out.put("pipeline_efficiency", round(jobTokensPerSecond / engineTokensPerSecond));
        out.put("learner_busy_fraction", round(learnerBusyFraction(paths.metrics())));
        out.put("job_seconds", round(jobSeconds));
        return out;
    }

    /** The sampler of the rollout operator, called directly over {@code groups} problems. */
    static double engineTokensPerSecond(RunConfig config, PolicyStore store, int groups) throws Exception {
        Task task = PlanFactory.task(config);
        int groupSize = config.rollout().rolloutsPerExample();
        int groupsPerPass = Math.max(1, config.rollout().maxBatchRows() / groupSize);
        try (ModelGroupSampler sampler = new ModelGroupSampler(store, task.verifier(),
                config.rollout().toSamplingParams(), groupSize, config.rollout().maxBatchRows(), config.job().seed(),
                Device.cpu())) {
            long tokens = 0;
            long timedFrom = 0;
            int next = 0;
            boolean warm = false;
            while (next < groups) {
                List<GroupRequest> pass = new ArrayList<>(groupsPerPass);
                for (int i = 0; i < groupsPerPass && next < groups; i++, next++) {
                    pass.add(new GroupRequest(task.problem(next), 0, 0, next));
                }
                List<ScoredGroup> done = sampler.generate(pass);
                if (!warm) {
                    warm = true; // the first pass loads the policy and warms PyTorch up, as in the job
                    timedFrom = System.nanoTime();
                    continue;
                }
                for (ScoredGroup g : done) {
                    tokens += completionTokens(g.rollouts());
                }
            }
            double seconds = (System.nanoTime() - timedFrom) / 1e9;
            if (tokens == 0 || seconds <= 0) {
                throw new IllegalStateException("the engine loop generated nothing after its warm-up pass:"
                        + " raise job.max_steps");
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
        for (String line : Files.readAllLines(metrics)) {
            JsonNode m = Json.mapper().readTree(line);
            if ("rl".equals(m.path("phase").asText()) && m.path("step").asLong() > 0) {
                busy += m.path("step_time_s").asDouble();
                waited += m.path("learner_wait_s").asDouble();
            }
        }
        return busy + waited > 0 ? busy / (busy + waited) : 0;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /**
     * Tails rollouts.jsonl while the job runs, reading only the bytes appended since the last poll:
     * the first poll that sees groups starts the clock, and only groups seen after it count, so
     * start-up and the first pass are not measured.
     */
    static final class RolloutWatcher implements Runnable {
        private final Path file;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final StringBuilder partial = new StringBuilder();
        private long offset;
        private volatile int groups;
        private long startNanos;
        private long lastNanos;
        private long tokensAfterStart;

        RolloutWatcher(Path file) {
            this.file = file;
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
            if (!Files.exists(file)) {
                return;
            }
            byte[] fresh;
            try (java.io.RandomAccessFile in = new java.io.RandomAccessFile(file.toFile(), "r")) {
                long length = in.length();
                if (length <= offset) {
                    return;
                }
                fresh = new byte[(int) (length - offset)];
                in.seek(offset);
                in.readFully(fresh);
                offset = length;
            }
            partial.append(new String(fresh, java.nio.charset.StandardCharsets.UTF_8));
            long now = System.nanoTime();
            boolean first = groups == 0;
            int end;
            while ((end = partial.indexOf("\n")) >= 0) { // only complete lines; a line being written waits
                String line = partial.substring(0, end);
                partial.delete(0, end + 1);
                if (!first) {
                    tokensAfterStart += Json.mapper().readTree(line).path("completion_tokens").asLong();
                }
                groups++;
            }
            if (first) {
                startNanos = now;
            } else {
                lastNanos = now;
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
                throw new IllegalStateException("rollouts.jsonl grew only once: raise job.max_steps");
            }
            return tokensAfterStart / seconds;
        }
    }
}
