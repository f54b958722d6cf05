package io.rollstream.experiment;

import io.rollstream.bench.Machine;
import io.rollstream.config.ConfigLoader;
import io.rollstream.config.DataSection;
import io.rollstream.config.RunConfig;
import io.rollstream.job.LocalRun;
import io.rollstream.job.SftRun;
import io.rollstream.rollout.Oversampling;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The claim that oversampling keeps the learner fed, as an experiment: one task whose filters drop about half of the
 * groups (by default the quickstart's 2-digit addition after its SFT warm start, with the
 * zero-advantage filter), run from the same warm-started policy with the same seed for the same
 * number of learner steps at {@code oversampling_factor} 1.0, 1.5 and 2.0 and with adaptive
 * oversampling (at most 2.0), plus a control arm without oversampling but one more step of
 * {@code max_async_level} (useful surplus carried into the next batch runs ahead like that). It
 * writes each arm's run directory, a table and two plots, and a Markdown page whose numbers all
 * come from the runs.
 */
public final class OversamplingExperiment {

    /**
     * One arm: a label, the factor, the mode, and steps added to the config's {@code max_async_level}.
     */
    public record Arm(String name, double factor, Oversampling mode, int extraAsync) {

        String slug() {
            return (mode == Oversampling.ADAPTIVE ? "adaptive-" : "fixed-")
                    + String.valueOf(factor).replace('.', '_')
                    + (extraAsync > 0 ? "-async+" + extraAsync : "");
        }
    }

    /** The arms of the experiment: the three factors, adaptive, and the control. */
    public static final List<Arm> ARMS = List.of(
            new Arm("o = 1.0", 1.0, Oversampling.FIXED, 0),
            new Arm("o = 1.5", 1.5, Oversampling.FIXED, 0),
            new Arm("o = 2.0", 2.0, Oversampling.FIXED, 0),
            new Arm("adaptive (o ≤ 2.0)", 2.0, Oversampling.ADAPTIVE, 0),
            new Arm("control: o = 1.0, async + 1", 1.0, Oversampling.FIXED, 1));

    /** An arm's run directory keeps the load averages it started and ended at here. */
    static final String LOAD_FILE = "load-average.txt";

    private OversamplingExperiment() {}

    /**
     * Runs the warm start (unless {@code init} is given or {@code out/sft} already holds it) and
     * every arm under {@code out} (an arm whose directory already holds {@code steps} learner steps
     * is read back, not run again), then writes the report into {@code out} and, when {@code docs}
     * is not null, the page {@code docs} with its figures beside it (in a folder of the same name).
     */
    public static List<OversamplingArm> run(
            Path config, List<String> overrides, int steps, Path init, Path out, Path docs, PrintStream print)
            throws Exception {
        RunConfig base = ConfigLoader.load(config, overrides);
        check(base);
        Path start = init != null ? init : warmStart(base, out.resolve("sft"), print);
        List<OversamplingArm> arms = new ArrayList<>();
        for (Arm arm : ARMS) {
            List<String> o = new ArrayList<>(overrides);
            o.addAll(List.of(
                    "model.init=" + start.toAbsolutePath(),
                    "sft.steps=0",
                    "job.max_steps=" + steps,
                    "buffer.oversampling_factor=" + arm.factor(),
                    "buffer.oversampling=" + arm.mode().name().toLowerCase(),
                    "async.max_async_level=" + (base.async().maxAsyncLevel() + arm.extraAsync()),
                    "job.name=" + base.job().name() + "-" + arm.slug()));
            Path dir = out.resolve(arm.slug());
            Path loads = dir.resolve(LOAD_FILE);
            if (OversamplingArm.finished(dir.resolve("metrics.jsonl"), steps) && Files.exists(loads)) {
                print.println("=== " + arm.name() + ": already run in " + dir + ", read back");
            } else {
                print.println("=== " + arm.name() + ": " + steps + " learner steps -> " + dir);
                String before = loadAverage();
                LocalRun.run(ConfigLoader.load(config, o), dir, null, print);
                Files.writeString(loads, before + "\n" + loadAverage() + "\n");
            }
            List<String> load = Files.readAllLines(loads);
            arms.add(OversamplingArm.read(arm.name(), dir.resolve("metrics.jsonl"), load.get(0), load.get(1)));
        }
        String table = OversamplingReport.write(arms, out);
        print.println(table);
        if (docs != null) {
            Path figures = figuresDir(docs);
            OversamplingReport.write(arms, figures);
            Files.writeString(
                    docs, page(arms, base, steps, config, figures.getFileName().toString()));
            print.println("page: " + docs + ", figures: " + figures);
        }
        return arms;
    }

    /** The folder of a page's figures: {@code docs/oversampling.md} → {@code docs/oversampling/}. */
    static Path figuresDir(Path page) {
        String name = page.getFileName().toString();
        return page.resolveSibling(name.endsWith(".md") ? name.substring(0, name.length() - 3) : name + "-figures");
    }

    private static Path warmStart(RunConfig base, Path dir, PrintStream print) throws Exception {
        Path model = dir.resolve("final-model.rsckpt");
        if (Files.exists(model)) {
            print.println("warm start: reusing " + model);
            return model;
        }
        print.println("=== warm start (SFT, " + base.sft().steps() + " steps) -> " + dir);
        // An interrupted earlier attempt left its config and saved state: its training continues.
        return SftRun.run(base, dir, Files.isRegularFile(dir.resolve("config.yaml")), print);
    }

    private static void check(RunConfig c) {
        if (c.data().source() != DataSection.Source.TASK || c.eval().problems() == 0) {
            throw new IllegalArgumentException("the oversampling experiment measures held-out accuracy: use a built-in"
                    + " task (data.source: task) with eval.problems > 0");
        }
        if (!c.zeroAdvantageFilter() && !c.buffer().onlineDifficultyFiltering()) {
            throw new IllegalArgumentException("oversampling is headroom for the groups the filters drop: turn on"
                    + " buffer.zero_advantage_filter or buffer.online_difficulty_filtering");
        }
        if (c.async().maxOffPolicySteps() < c.async().maxAsyncLevel() + 1) {
            throw new IllegalArgumentException("the arm with oversampling_factor 2.0 carries useful groups one step:"
                    + " set async.max_off_policy_steps to async.max_async_level + 1 ("
                    + (c.async().maxAsyncLevel() + 1) + ") so every arm runs with the same staleness bound");
        }
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | SecurityException e) {
            return "unknown";
        }
    }

    /** The Markdown page: what was run, the table, the figures, and what the numbers say. */
    static String page(List<OversamplingArm> arms, RunConfig base, int steps, Path config, String figures) {
        Machine machine = Machine.current();
        StringBuilder s = new StringBuilder();
        s.append("# Oversampling: headroom in flight, not extra output\n\n");
        s.append("Written by `jobs/rollstream experiment oversampling` on ")
                .append(LocalDate.now())
                .append(" (")
                .append(machine.cores())
                .append(" cores, ")
                .append(machine.cpuModel())
                .append("; load averages per arm"
                        + " in the table: the machine is shared, so timings carry its noise). Every number below comes"
                        + " from the runs' `metrics.jsonl`.\n\n");
        s.append(String.format(
                Locale.ROOT,
                "Setup: `%s`, %s at difficulty %d, %d rollouts per problem, %d groups per"
                        + " learner step, `max_async_level` %d, `max_off_policy_steps` %d, %d learner steps per arm,"
                        + " seed %d; every arm starts from the same SFT warm start (`sft.steps` %d) and evaluates the"
                        + " final policy on %d held-out problems. Arms differ only in `buffer.oversampling_factor`"
                        + " and `buffer.oversampling` (the control arm in `max_async_level`).%n%n",
                config,
                base.data().task(),
                base.data().difficulty(),
                base.rollout().rolloutsPerExample(),
                base.groupsPerBatch(),
                base.async().maxAsyncLevel(),
                base.async().maxOffPolicySteps(),
                steps,
                base.job().seed(),
                base.sft().steps(),
                base.eval().problems()));
        s.append(OversamplingReport.markdown(arms)).append('\n');
        s.append("*learner wait*: the share of the learner's time (training + waiting) spent waiting for a batch;"
                + " *steps/min*: learner steps per minute of that time; *filtered*: dropped by the zero-advantage,"
                + " difficulty or length filter; *stale*: dropped because no batch had room before"
                + " `max_off_policy_steps` ran out; *generated tokens per trained token*: completion tokens of every"
                + " scored group over those of the trained ones (`total_rollout_tokens_per_trained_token`).\n\n");
        s.append("![learner steps over the learner's time](")
                .append(figures)
                .append('/')
                .append(OversamplingReport.STEPS_PNG)
                .append(")\n\n");
        s.append("![where the generated groups went](")
                .append(figures)
                .append('/')
                .append(OversamplingReport.GROUPS_PNG)
                .append(")\n\n");
        s.append("## What the numbers say\n\n").append(findings(arms)).append('\n');
        s.append("How to read them: the fixed headroom keeps up to `problems_per_batch − groups per batch` groups in"
                + " flight beyond the async window. What passes the filters beyond the window is carried into the"
                + " next batch rather than dropped, so nothing is wasted to staleness and the generated tokens per"
                + " trained token are set by the filter rate alone — and the generators also run further ahead, which"
                + " the mean staleness shows and the control arm isolates. Adaptive oversampling admits until the"
                + " *expected* useful groups in flight fill the window, so it leaves no expected surplus: it keeps"
                + " the staleness of o = 1.0 and keeps only the replacements for what the filters are expected to"
                + " drop in flight.\n\n");
        s.append("## Reproduce\n\n```bash\nflock /work/locks/heavy jobs/rollstream experiment oversampling"
                        + " --config ")
                .append(config)
                .append(" --steps ")
                .append(steps)
                .append("\n```\n\n");
        s.append("How admission works (the gate, the headroom, adaptive estimates) is described in"
                + " `configs/README.md`; the scheduler's simulated-learner tests (`AdmissionSchedulerTest`) check the"
                + " stale-drop and starvation bounds over many more settings than one run can.\n");
        return s.toString();
    }

    /** Comparisons read off the arms ({@link #ARMS}: fixed 1.0, 1.5, 2.0, adaptive, then the control). */
    static String findings(List<OversamplingArm> arms) {
        OversamplingArm one = arms.get(0);
        OversamplingArm two = arms.get(2);
        OversamplingArm adaptive = arms.get(3);
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "- The filters dropped %.0f%%–%.0f%% of the scored groups across the arms.%n",
                100
                        * arms.stream()
                                .mapToDouble(OversamplingArm::filterRate)
                                .min()
                                .orElse(0),
                100
                        * arms.stream()
                                .mapToDouble(OversamplingArm::filterRate)
                                .max()
                                .orElse(0)));
        s.append(String.format(
                Locale.ROOT,
                "- o = 2.0 left the learner waiting %.1f%% of its time against %.1f%% at"
                        + " o = 1.0 (%s): %.3f s against %.3f s per step, at %.1f against %.1f steps per minute. The"
                        + " share also moves with the machine's load: a learner step that trains faster waits a"
                        + " larger share for the same generation (training per step is in the table).%n",
                100 * two.waitFraction(),
                100 * one.waitFraction(),
                two.waitFraction() < one.waitFraction() ? "less" : "not less",
                two.waitingSecondsPerStep(),
                one.waitingSecondsPerStep(),
                two.stepsPerMinute(),
                one.stepsPerMinute()));
        long staleMax = arms.stream().mapToLong(OversamplingArm::stale).max().orElse(0);
        double staleRateMax =
                arms.stream().mapToDouble(OversamplingArm::staleRate).max().orElse(0);
        s.append(
                staleMax == 0
                        ? "- Stale drops: none, in any arm (target ≤ 2% of the scored groups).\n"
                        : String.format(
                                Locale.ROOT,
                                "- Stale drops: at most %d groups (%.2f%% of an arm's scored groups;"
                                        + " target ≤ 2%%).%n",
                                staleMax,
                                100 * staleRateMax));
        s.append(String.format(
                Locale.ROOT,
                "- Mean staleness of the trained groups: %s (useful surplus is carried"
                        + " into the next batch, so more headroom also means running further ahead).%n",
                String.join(
                        ", ",
                        arms.stream()
                                .map(a -> String.format(Locale.ROOT, "%s %.2f", a.name(), a.stalenessMean()))
                                .toList())));
        s.append(String.format(
                Locale.ROOT,
                "- Generated tokens per trained token: %s; with nothing dropped as"
                        + " stale this follows the filter rate (1 ÷ (1 − filter rate) in groups), not the factor.%n",
                String.join(
                        ", ",
                        arms.stream()
                                .map(a -> String.format(
                                        Locale.ROOT,
                                        "%s %.2f (1 ÷ (1 − %.2f) = %.2f)",
                                        a.name(),
                                        a.tokensPerTrainedToken(),
                                        a.filterRate(),
                                        1 / (1 - a.filterRate())))
                                .toList())));
        s.append(String.format(
                Locale.ROOT,
                "- Adaptive oversampling waited %.1f%% of the learner's time, %.3f s per"
                        + " step (o = 2.0: %.1f%%, %.3f s), with mean staleness %.2f (o = 2.0: %.2f), and generated"
                        + " %.2f tokens per trained token (o = 2.0: %.2f).%n",
                100 * adaptive.waitFraction(),
                adaptive.waitingSecondsPerStep(),
                100 * two.waitFraction(),
                two.waitingSecondsPerStep(),
                adaptive.stalenessMean(),
                two.stalenessMean(),
                adaptive.tokensPerTrainedToken(),
                two.tokensPerTrainedToken()));
        if (arms.size() > 4) {
            OversamplingArm control = arms.get(4);
            double gain = one.waitingSecondsPerStep() - two.waitingSecondsPerStep();
            s.append(String.format(
                    Locale.ROOT,
                    "- The control without oversampling but one more step of"
                            + " `max_async_level` waited %.1f%% of the learner's time, %.3f s per step, with mean"
                            + " staleness %.2f: running further ahead alone cut the wait per step by %.0f%% of what"
                            + " o = 2.0 cut it by.%n",
                    100 * control.waitFraction(),
                    control.waitingSecondsPerStep(),
                    control.stalenessMean(),
                    gain > 0 ? 100 * (one.waitingSecondsPerStep() - control.waitingSecondsPerStep()) / gain : 0));
        }
        s.append(String.format(
                Locale.ROOT,
                "- Held-out accuracy after the last step: %s.%n",
                String.join(
                        ", ",
                        arms.stream()
                                .map(a -> a.name() + " "
                                        + (Double.isNaN(a.heldOutAccuracy())
                                                ? "–"
                                                : String.format(Locale.ROOT, "%.1f%%", 100 * a.heldOutAccuracy())))
                                .toList())));
        return s.toString();
    }
}
