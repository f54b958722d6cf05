package io.rollstream.experiment;

import io.rollstream.config.ConfigLoader;
import io.rollstream.config.RunConfig;
import io.rollstream.job.LocalRun;
import io.rollstream.job.PreFlight;
import io.rollstream.job.RunDirectory;
import io.rollstream.learner.Algorithm;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.FileUtils;

/**
 * The distillation variance experiment: the same distillation config (student start in {@code model.init},
 * teacher in {@code teacher.checkpoint}, a fixed set of {@code data.max_problems} prompts read for
 * {@code data.epochs} epochs) run once per number of rollouts per prompt and sampling seed
 * ({@code rollout.seed}: the draws change, the prompts, teacher and student start do not). Each run
 * trains one epoch per learner step ({@code buffer.batch_size} = prompts × rollouts) for
 * {@code data.epochs} steps, with one optimizer step per prompt; only the rollouts per prompt and the
 * sampling seed differ between runs.
 */
public final class DistillVarianceExperiment {

    private DistillVarianceExperiment() {}

    /**
     * Runs every (rollouts, seed) pair under {@code out/rollouts-N/seed-S/} and writes the report into
     * {@code out}. A pair whose run directory already holds a finished {@code metrics.jsonl} is read,
     * not run again, so an interrupted experiment continues where it stopped.
     */
    public static List<DistillationRow> run(
            Path config,
            List<String> overrides,
            List<Integer> rolloutsPerPrompt,
            List<Long> seeds,
            Path out,
            PrintStream print)
            throws Exception {
        RunConfig base = ConfigLoader.load(config, overrides);
        check(base);
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("give at least one sampling seed (--seeds)");
        }
        int prompts = base.data().maxProblems();
        Map<Path, RunConfig> runConfigs = new LinkedHashMap<>();
        for (int n : rolloutsPerPrompt) { // every run checked before the first one starts
            for (long seed : seeds) {
                List<String> arm = new ArrayList<>(overrides);
                arm.add("rollout.rollouts_per_example=" + n);
                arm.add("buffer.batch_size=" + prompts * n);
                arm.add("job.max_steps=" + base.data().epochs());
                arm.add("rollout.seed=" + seed);
                arm.add("job.name=" + base.job().name() + "-" + n + "-s" + seed);
                RunConfig runConfig = ConfigLoader.load(config, arm);
                PreFlight.check(runConfig, PreFlight.Mode.LOCAL_RUN, false);
                runConfigs.put(runDir(out, n, seed), runConfig);
            }
        }
        RunDirectory.requireNewOrOwn(out, "--out", DistillVarianceExperiment::ownOutput);
        List<DistillationRow> rows = new ArrayList<>();
        int total = runConfigs.size();
        int done = 0;
        for (int n : rolloutsPerPrompt) {
            List<DistillationArm> runs = new ArrayList<>();
            for (long seed : seeds) {
                Path dir = runDir(out, n, seed);
                Path metrics = dir.resolve("metrics.jsonl");
                done++;
                if (finished(metrics, base.data().epochs())) {
                    print.println("=== [" + done + "/" + total + "] " + dir + " already ran: reading it");
                } else {
                    FileUtils.deleteDirectory(dir.toFile()); // an interrupted run: start it again
                    print.println("=== [" + done + "/" + total + "] " + n + " rollout(s) per prompt, sampling seed "
                            + seed + ": " + prompts + " prompts x "
                            + base.data().epochs() + " epochs -> " + dir);
                    LocalRun.run(runConfigs.get(dir), dir, null, print);
                }
                runs.add(DistillationArm.read(n, seed, metrics));
            }
            rows.add(new DistillationRow(n, runs));
        }
        print.println(DistillVarianceReport.write(rows, out));
        print.println("table: " + out.resolve(DistillVarianceReport.TABLE_MD) + ", plot: "
                + out.resolve(DistillVarianceReport.PLOT_PNG));
        return rows;
    }

    /** What an earlier attempt of this experiment leaves in its output directory. */
    private static boolean ownOutput(String name) {
        return name.matches("rollouts-\\d+")
                || name.equals(DistillVarianceReport.TABLE_MD)
                || name.equals(DistillVarianceReport.TABLE_JSON)
                || name.equals(DistillVarianceReport.PLOT_PNG);
    }

    private static Path runDir(Path out, int rollouts, long seed) {
        return out.resolve("rollouts-" + rollouts).resolve("seed-" + seed);
    }

    /** Whether {@code metrics} logs all {@code epochs} epochs. */
    private static boolean finished(Path metrics, int epochs) {
        if (!Files.exists(metrics)) {
            return false;
        }
        try {
            return DistillationArm.read(1, 0, metrics).epochKl().size() >= epochs;
        } catch (IOException e) {
            return false;
        }
    }

    private static void check(RunConfig c) {
        if (c.learner().algorithm() != Algorithm.REVERSE_KL) {
            throw new IllegalArgumentException("the variance experiment distills: set learner.algorithm: reverse_kl");
        }
        if (c.data().maxProblems() < 1) {
            throw new IllegalArgumentException(
                    "the variance experiment needs a fixed prompt set: set data.max_problems (the seed uses 10)");
        }
        if (c.model().init() == null) {
            throw new IllegalArgumentException("every arm must start from the same student: set model.init to a"
                    + " checkpoint (e.g. one written by `rollstream sft`)");
        }
        if (c.async().maxAsyncLevel() != 0) {
            throw new IllegalArgumentException(
                    "one epoch per learner step needs synchronous rollouts: set async.max_async_level: 0");
        }
    }
}
