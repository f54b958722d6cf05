package io.rollstream.experiment;

import io.rollstream.output.JsonLines;
import io.rollstream.types.StepMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of the oversampling experiment, read back from its {@code metrics.jsonl}.
 *
 * @param name the arm's label ("o = 2.0", "adaptive (o ≤ 2.0)")
 * @param steps learner steps
 * @param trainingSeconds the learner's time training ({@code step_time_s} summed)
 * @param waitingSeconds the learner's time waiting for a batch ({@code learner_wait_s} summed)
 * @param scored groups generated ({@code total_groups_scored} of the last step)
 * @param trained groups trained
 * @param filtered groups dropped by the content filters (zero advantage, difficulty, length)
 * @param stale groups dropped as stale
 * @param tokensPerTrainedToken completion tokens generated per completion token trained
 * @param stalenessMean mean staleness of the trained groups
 * @param heldOutAccuracy the last evaluation (after the last step), NaN when none was logged
 * @param learnerTimeline per step, the learner's elapsed time (training plus waiting) when it ended
 * @param loadBefore the machine's load average when the arm started
 * @param loadAfter the load average when it ended
 */
public record OversamplingArm(
        String name,
        long steps,
        double trainingSeconds,
        double waitingSeconds,
        long scored,
        long trained,
        long filtered,
        long stale,
        double tokensPerTrainedToken,
        double stalenessMean,
        double heldOutAccuracy,
        List<Double> learnerTimeline,
        String loadBefore,
        String loadAfter) {

    /** Whether {@code metrics} (a run's {@code metrics.jsonl}) exists and logs at least {@code steps} RL steps. */
    public static boolean finished(Path metrics, long steps) throws IOException {
        if (!Files.exists(metrics)) {
            return false;
        }
        return JsonLines.read(metrics, StepMetrics.class).stream()
                        .filter(StepMetrics::isRl)
                        .count()
                >= steps;
    }

    /** Reads an arm from a run directory's {@code metrics.jsonl}. */
    public static OversamplingArm read(String name, Path metrics, String loadBefore, String loadAfter)
            throws IOException {
        List<StepMetrics> rl = JsonLines.read(metrics, StepMetrics.class).stream()
                .filter(StepMetrics::isRl)
                .toList();
        if (rl.isEmpty() || rl.get(rl.size() - 1).totals() == null) {
            throw new IOException(metrics + " logs no RL step with the run's group totals");
        }
        double training = 0;
        double waiting = 0;
        double staleness = 0;
        double accuracy = Double.NaN;
        List<Double> timeline = new ArrayList<>();
        for (StepMetrics m : rl) {
            training += m.value(StepMetrics::updates, StepMetrics.Updates::stepTimeS, 0);
            waiting += m.value(StepMetrics::throughput, StepMetrics.Throughput::learnerWaitS, 0);
            staleness += m.value(StepMetrics::samples, StepMetrics.Samples::stalenessMean, 0);
            timeline.add(training + waiting);
            if (m.evaluated()) {
                accuracy = m.evalAccuracy();
            }
        }
        StepMetrics.Totals last = rl.get(rl.size() - 1).totals();
        long filtered = last.totalGroupsDroppedZeroAdvantage()
                + last.totalGroupsDroppedDifficulty()
                + last.totalGroupsDroppedLength();
        double tokensPerTrainedToken =
                last.totalRolloutTokensPerTrainedToken() != null ? last.totalRolloutTokensPerTrainedToken() : 0.0;
        return new OversamplingArm(
                name,
                rl.size(),
                training,
                waiting,
                last.totalGroupsScored(),
                last.totalGroupsTrained(),
                filtered,
                last.totalGroupsDroppedStale(),
                tokensPerTrainedToken,
                staleness / rl.size(),
                accuracy,
                timeline,
                loadBefore,
                loadAfter);
    }

    /** The learner's mean training time per step, in seconds (it varies with the machine's load). */
    public double trainingSecondsPerStep() {
        return trainingSeconds / steps;
    }

    /** The learner's mean wait for a batch per step, in seconds. */
    public double waitingSecondsPerStep() {
        return waitingSeconds / steps;
    }

    /** Share of the learner's time spent waiting for batches. */
    public double waitFraction() {
        return waitingSeconds / (trainingSeconds + waitingSeconds);
    }

    /** Learner steps per minute of the learner's time (training plus waiting). */
    public double stepsPerMinute() {
        return steps / ((trainingSeconds + waitingSeconds) / 60);
    }

    /** Filtered groups as a share of the scored ones. */
    public double filterRate() {
        return (double) filtered / scored;
    }

    /** Stale groups as a share of the scored ones. */
    public double staleRate() {
        return (double) stale / scored;
    }
}
