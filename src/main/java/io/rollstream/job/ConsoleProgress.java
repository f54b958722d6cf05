package io.rollstream.job;

import io.rollstream.types.StepMetrics;
import io.rollstream.types.StepMetrics.Groups;
import io.rollstream.types.StepMetrics.Optimization;
import io.rollstream.types.StepMetrics.Rewards;
import io.rollstream.types.StepMetrics.Samples;
import io.rollstream.types.StepMetrics.StepTimes;
import io.rollstream.types.StepMetrics.Throughput;
import io.rollstream.types.StepMetrics.Totals;
import io.rollstream.types.StepMetrics.Updates;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * What the console shows while the RL job runs: the run's messages as they come, and one line per
 * {@code job.log_every} learner steps with the averages over those steps (plus the last step's
 * and every evaluation's line), so a long run prints a screenful, not a line per step. On a
 * terminal a one-line progress bar below them moves with every step; it goes to the terminal
 * alone, never to {@code run.log}. The ETA extrapolates the steps done by this process and never
 * exceeds the time {@code job.max_minutes} leaves.
 *
 * <p>Steps are shown as a person counts them: "step n" is the n-th learner step, the one that
 * publishes policy version n ({@code metrics.jsonl}'s {@code policy_version}; its {@code step}
 * field is the 0-based index n - 1).
 */
public final class ConsoleProgress implements Consumer<String>, AutoCloseable {

    private final Consumer<String> out;
    private final ProgressBar bar;
    private final long maxSteps;
    private final int logEvery;
    private final LongSupplier clock;
    private final long startMillis;
    private final long deadlineMillis;
    private Window window = new Window();
    private long firstStepIndex = -1;

    /**
     * @param out where lines go (the console and run.log)
     * @param terminal the terminal for the progress bar, or null when stdout is not one
     * @param maxSteps the run's {@code job.max_steps}
     * @param logEvery steps per line, at least 1
     * @param maxMinutes the job's time limit from now, 0 for none
     * @param clock milliseconds, {@link System#currentTimeMillis} outside tests
     */
    public ConsoleProgress(
            Consumer<String> out,
            PrintWriter terminal,
            long maxSteps,
            int logEvery,
            double maxMinutes,
            LongSupplier clock) {
        if (logEvery < 1) {
            throw new IllegalArgumentException("logEvery must be >= 1, got " + logEvery);
        }
        this.out = out;
        this.bar = new ProgressBar(terminal);
        this.maxSteps = maxSteps;
        this.logEvery = logEvery;
        this.clock = clock;
        this.startMillis = clock.getAsLong();
        this.deadlineMillis = maxMinutes > 0 ? startMillis + (long) (maxMinutes * 60_000) : Long.MAX_VALUE;
    }

    /** A line for every step and no bar: what tests and tools that follow a job step by step want. */
    public static ConsoleProgress everyStep(Consumer<String> out, long maxSteps, double maxMinutes) {
        return new ConsoleProgress(out, null, maxSteps, 1, maxMinutes, System::currentTimeMillis);
    }

    /** The terminal stdout is, or null: the progress bar is drawn only there. */
    public static PrintWriter terminal() {
        return System.console() != null ? System.console().writer() : null;
    }

    /** A message: printed at once, above the progress bar. */
    @Override
    public void accept(String message) {
        bar.clear();
        out.accept(message);
        bar.redraw();
    }

    /** One metrics.jsonl line of the RL job: counted, and printed when a line is due. */
    public void step(StepMetrics m) {
        long index = m.step();
        long number = index + 1;
        if (firstStepIndex < 0) {
            firstStepIndex = index;
        }
        window.add(m);
        long now = clock.getAsLong();
        Eta eta = eta(number, now);
        if (number % logEvery == 0 || number >= maxSteps || m.evaluated()) {
            accept(window.line(number, maxSteps, logEvery, eta));
            window = new Window(m);
        }
        bar.draw(String.format(
                "%s %d/%d steps | %s elapsed | ETA %s",
                ProgressBar.bar(number, maxSteps, 24), number, maxSteps, duration((now - startMillis) / 1000.0), eta));
    }

    /** Clears the progress bar: the run's closing lines follow. */
    @Override
    public void close() {
        bar.close();
    }

    /** Time left: the steps to go at this process's pace, never more than the time limit leaves. */
    private Eta eta(long number, long now) {
        long doneHere = number - firstStepIndex;
        double elapsed = (now - startMillis) / 1000.0;
        double bySteps = doneHere > 0 ? elapsed / doneHere * Math.max(0, maxSteps - number) : Double.MAX_VALUE;
        if (deadlineMillis == Long.MAX_VALUE) {
            return new Eta(bySteps, false);
        }
        double left = Math.max(0, (deadlineMillis - now) / 1000.0);
        return bySteps > left ? new Eta(left, true) : new Eta(bySteps, false);
    }

    /** Seconds to go; {@code limited} when the time limit, not the last step, ends the run. */
    record Eta(double seconds, boolean limited) {
        @Override
        public String toString() {
            return duration(seconds) + (limited ? " (time limit)" : "");
        }
    }

    /** {@code 1h02m}, {@code 6m12s}, {@code 42s}. */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        Duration d = Duration.ofSeconds(s);
        if (s >= 3600) {
            return String.format("%dh%02dm", d.toHours(), d.toMinutesPart());
        }
        if (s >= 60) {
            return String.format("%dm%02ds", d.toMinutes(), d.toSecondsPart());
        }
        return s + "s";
    }

    /** The line of one SFT warm-start step. */
    static String sftLine(StepMetrics m, long steps) {
        StringBuilder s = new StringBuilder(String.format(
                "sft  step %4d/%d | loss %.4f",
                m.step() + 1, steps, m.value(StepMetrics::optimization, Optimization::loss, 0)));
        if (m.evaluated()) {
            s.append(String.format(" | held-out accuracy %.1f%%", 100 * m.evalAccuracy()))
                    .append(passAt(m));
        }
        return s.toString();
    }

    /** {@code " pass@1 41.0% pass@8 80.3%"}: the smallest and largest k of a sampled evaluation, else "". */
    static String passAt(StepMetrics m) {
        if (m.evalPassAt().isEmpty()) {
            return "";
        }
        List<Integer> ks = List.copyOf(m.evalPassAt().keySet());
        StringBuilder s = new StringBuilder();
        for (int k : ks.size() == 1 ? ks : List.of(ks.get(0), ks.get(ks.size() - 1))) {
            s.append(String.format(" pass@%d %.1f%%", k, 100 * m.evalPassAt(k)));
        }
        return s.toString();
    }

    /** The steps since the last line: sums for the averages, the newest run-wide figures. */
    private static final class Window {
        /** {@code time_s} of the step before the window, or NaN when unknown. */
        private final double timeBefore;

        private int steps;
        private double reward;
        private double staleness;
        private double kl;
        private long groupsTrained;
        private long groupsScored;
        private long rolloutTokens;
        private double busySeconds;
        private boolean hasTokens = true;
        private StepMetrics last;

        /** The first window: the steps before it may predate this process (a resume). */
        Window() {
            this.timeBefore = Double.NaN;
        }

        /** The window after the line that ended with {@code previous}. */
        Window(StepMetrics previous) {
            this.timeBefore = timeS(previous);
        }

        /** {@code time_s} of {@code m}, or NaN when it has none. */
        private static double timeS(StepMetrics m) {
            return m.value(StepMetrics::stepTimes, StepTimes::timeS, Double.NaN);
        }

        void add(StepMetrics m) {
            steps++;
            reward += m.value(StepMetrics::rewards, Rewards::rewardMean, 0);
            staleness += m.value(StepMetrics::samples, Samples::stalenessMean, 0);
            kl += m.value(StepMetrics::rewards, Rewards::klMean, 0);
            groupsTrained += (long) m.value(StepMetrics::groups, Groups::groupsTrained, 0);
            groupsScored += (long) m.value(StepMetrics::groups, Groups::groupsScored, 0);
            double tokens = m.value(StepMetrics::throughput, Throughput::rolloutTokens, Double.NaN);
            hasTokens &= !Double.isNaN(tokens);
            rolloutTokens += Double.isNaN(tokens) ? 0 : (long) tokens;
            busySeconds += m.value(StepMetrics::throughput, Throughput::learnerWaitS, 0)
                    + m.value(StepMetrics::updates, Updates::stepTimeS, 0);
            last = m;
        }

        /**
         * The window's wall time: by {@code time_s} when the lines have it (a window that began
         * before this process did, after a resume, has none before it), else the learner's waits
         * and steps added up.
         */
        private double seconds() {
            double timeLast = timeS(last);
            if (!Double.isNaN(timeLast) && !Double.isNaN(timeBefore) && timeLast > timeBefore) {
                return timeLast - timeBefore;
            }
            return busySeconds;
        }

        String line(long number, long maxSteps, int logEvery, Eta eta) {
            double seconds = seconds();
            StringBuilder s = new StringBuilder(String.format("rl   step %4d/%d", number, maxSteps));
            if (logEvery > 1) {
                s.append(String.format(" (%d-step avg)", steps));
            }
            s.append(String.format(
                    " | reward %.3f | staleness %.2f | kept %d/%d groups (run: %.0f%% trained, %d stale)",
                    reward / steps,
                    staleness / steps,
                    groupsTrained,
                    groupsScored,
                    100 * last.value(StepMetrics::totals, Totals::totalGenerationEfficiency, 0),
                    (long) last.value(StepMetrics::totals, Totals::totalGroupsDroppedStale, 0)));
            if (hasTokens && seconds > 0) {
                s.append(String.format(" | %,.0f rollout tok/s", rolloutTokens / seconds));
            }
            s.append(String.format(" | %.2f s/step | ETA %s", seconds / steps, eta));
            if (last.rewards() != null && last.rewards().klMean() != null) {
                s.append(String.format(" | reverse KL %.4f", kl / steps));
            }
            if (last.evaluated()) {
                s.append(String.format(" | held-out accuracy %.1f%%", 100 * last.evalAccuracy()))
                        .append(passAt(last));
            }
            if (last.invalidRecords() != null && last.invalidRecords() > 0) {
                s.append(String.format(" | invalid records %,d", last.invalidRecords()));
            }
            return s.toString();
        }
    }

    /** The one-line bar at the bottom of a terminal, redrawn in place; nothing without a terminal. */
    static final class ProgressBar {
        private static final String CLEAR_LINE = "\r\033[2K";
        private final PrintWriter terminal;
        private String shown;

        ProgressBar(PrintWriter terminal) {
            this.terminal = terminal;
        }

        static String bar(long done, long total, int width) {
            int filled = total > 0 ? (int) Math.min(width, width * done / total) : 0;
            return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
        }

        void draw(String text) {
            shown = text;
            redraw();
        }

        void redraw() {
            if (terminal != null && shown != null) {
                terminal.print(CLEAR_LINE + shown);
                terminal.flush();
            }
        }

        void clear() {
            if (terminal != null && shown != null) {
                terminal.print(CLEAR_LINE);
                terminal.flush();
            }
        }

        /** Clears the bar for good: lines printed after it are not followed by a bar. */
        void close() {
            clear();
            shown = null;
        }
    }
}
