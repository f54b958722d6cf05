package io.rollstream.experiment;

import io.rollstream.config.ConfigLoader;
import io.rollstream.config.RunConfig;
import io.rollstream.job.LocalRun;
import io.rollstream.job.PreFlight;
import io.rollstream.job.RunDirectory;
import io.rollstream.learner.Algorithm;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed's variance experiment: the same distillation config (student start in {@code model.init},
 * teacher in {@code teacher.checkpoint}, a fixed set of {@code data.max_problems} prompts read for
 * {@code data.epochs} epochs) run once per number of rollouts per prompt. Each run trains one epoch
 * per learner step ({@code buffer.batch_size} = prompts × rollouts) for {@code data.epochs} steps,
 * with one optimizer step per prompt; only the rollouts per prompt differ between runs.
 */
public final class DistillVarianceExperiment {

    private DistillVarianceExperiment() {}

    /** Runs every arm under {@code out/rollouts-N/} and writes the report into {@code out}. */
    public static List<DistillationArm> run(Path config, List<String> overrides, List<Integer> rolloutsPerPrompt,
            Path out, PrintStream print) throws Exception {
        RunConfig base = ConfigLoader.load(config, overrides);
        check(base);
        int prompts = base.data().maxProblems();
        Map<Integer, RunConfig> armConfigs = new LinkedHashMap<>();
        for (int n : rolloutsPerPrompt) { // every arm checked before the first runs
            List<String> arm = new ArrayList<>(overrides);
            arm.add("rollout.rollouts_per_example=" + n);
            arm.add("buffer.batch_size=" + prompts * n);
            arm.add("job.max_steps=" + base.data().epochs());
            arm.add("job.name=" + base.job().name() + "-" + n);
            RunConfig armConfig = ConfigLoader.load(config, arm);
            PreFlight.check(armConfig, PreFlight.Mode.LOCAL_RUN, false);
            armConfigs.put(n, armConfig);
        }
        RunDirectory.requireNewOrEmpty(out, "--out");
        List<DistillationArm> arms = new ArrayList<>();
        for (Map.Entry<Integer, RunConfig> arm : armConfigs.entrySet()) {
            int n = arm.getKey();
            Path dir = out.resolve("rollouts-" + n);
            print.println("=== " + n + " rollout(s) per prompt: " + prompts + " prompts x " + base.data().epochs()
                    + " epochs -> " + dir);
            LocalRun.run(arm.getValue(), dir, null, print);
            arms.add(DistillationArm.read(n, dir.resolve("metrics.jsonl")));
        }
        print.println(DistillVarianceReport.write(arms, out));
        print.println("table: " + out.resolve(DistillVarianceReport.TABLE_MD) + ", plot: "
                + out.resolve(DistillVarianceReport.PLOT_PNG));
        return arms;
    }

    private static void check(RunConfig c) {
        if (c.learner().algorithm() != Algorithm.REVERSE_KL) {
            throw new IllegalArgumentException("the variance experiment distills: set learner.algorithm: reverse_kl");
        }
        if (c.data().maxProblems() < 1) {
            throw new IllegalArgumentException("the variance experiment needs a fixed prompt set: set data.max_problems"
                    + " (the seed uses 10)");
        }
        if (c.model().init() == null) {
            throw new IllegalArgumentException("every arm must start from the same student: set model.init to a"
                    + " checkpoint (e.g. one written by `rollstream sft`)");
        }
        if (c.async().maxAsyncLevel() != 0) {
            throw new IllegalArgumentException("one epoch per learner step needs synchronous rollouts: set"
                    + " async.max_async_level: 0");
        }
    }
}
