package io.rollstream.experiment;

import io.rollstream.output.JsonLines;
import io.rollstream.types.StepMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One arm of the algorithms experiment, read back from its run's {@code metrics.jsonl}: held-out
 * accuracy over the learner steps, and the means of the loss's token statistics.
 *
 * @param name the arm's short name
 * @param description what the arm changes
 * @param overrides the config overrides that make it
 * @param accuracy learner step (1-based: after that many steps) → held-out greedy accuracy
 * @param rlSeconds learner step (1-based) → seconds of RL by the end of that step (the learner's step and
 *     wait times added up: job start to that step, evaluations included), at the evaluated steps
 * @param steps learner steps taken
 * @param wallSeconds the run's wall time, job start to final evaluation
 * @param sftAccuracy held-out accuracy of the arm's SFT start (NaN when unknown)
 * @param load {@code /proc/loadavg} (1, 5, 15 min) when the arm started and ended
 * @param clippedFraction mean over steps of {@code clipped_fraction}
 * @param maskedFraction mean over steps of {@code masked_fraction}
 * @param ratioMean mean over steps of {@code is_ratio_mean}
 * @param ratioMax largest {@code is_ratio_max} of the run
 * @param entropyEnd mean {@code entropy} of the last tenth of the steps
 * @param rewardEnd mean {@code reward_mean} of the last tenth of the steps
 */
public record AlgorithmArm(
        String name,
        String description,
        List<String> overrides,
        Map<Long, Double> accuracy,
        Map<Long, Double> rlSeconds,
        long steps,
        double wallSeconds,
        double sftAccuracy,
        String load,
        double clippedFraction,
        double maskedFraction,
        double ratioMean,
        double ratioMax,
        double entropyEnd,
        double rewardEnd) {

    /** Reads the arm from a run directory's {@code metrics.jsonl}. */
    public static AlgorithmArm read(
            String name,
            String description,
            List<String> overrides,
            Path metrics,
            double wallSeconds,
            double sftAccuracy,
            String load)
            throws IOException {
        Map<Long, Double> accuracy = new TreeMap<>();
        Map<Long, Double> rlSeconds = new TreeMap<>();
        double elapsed = 0;
        List<StepMetrics> rl = new ArrayList<>();
        for (StepMetrics m : JsonLines.read(metrics, StepMetrics.class)) {
            if (m.isRl()) {
                rl.add(m);
                elapsed += m.value(StepMetrics::updates, StepMetrics.Updates::stepTimeS, 0)
                        + m.value(StepMetrics::throughput, StepMetrics.Throughput::learnerWaitS, 0);
                if (m.evaluated()) {
                    accuracy.put(m.step() + 1, m.evalAccuracy());
                    rlSeconds.put(m.step() + 1, elapsed);
                }
            }
        }
        if (rl.isEmpty()) {
            throw new IOException(metrics + " logs no RL step: did the run fail before its first batch?");
        }
        double clipped = 0;
        double masked = 0;
        double ratio = 0;
        double ratioMax = 0;
        for (StepMetrics m : rl) { // the losses' diagnostics, by the names LossStats gives them
            clipped += m.lossDiagnostics().getOrDefault("clipped_fraction", 0.0);
            masked += m.lossDiagnostics().getOrDefault("masked_fraction", 0.0);
            ratio += m.lossDiagnostics().getOrDefault("is_ratio_mean", 1.0);
            ratioMax = Math.max(ratioMax, m.lossDiagnostics().getOrDefault("is_ratio_max", 1.0));
        }
        int tail = Math.max(1, rl.size() / 10);
        double entropy = 0;
        double reward = 0;
        for (StepMetrics m : rl.subList(rl.size() - tail, rl.size())) {
            entropy += m.value(StepMetrics::optimization, StepMetrics.Optimization::entropy, 0);
            reward += m.value(StepMetrics::rewards, StepMetrics.Rewards::rewardMean, 0);
        }
        int n = rl.size();
        return new AlgorithmArm(
                name,
                description,
                List.copyOf(overrides),
                accuracy,
                rlSeconds,
                n,
                wallSeconds,
                sftAccuracy,
                load,
                clipped / n,
                masked / n,
                ratio / n,
                ratioMax,
                entropy / tail,
                reward / tail);
    }

    /** The last evaluation's accuracy (the final policy's), NaN when none was logged. */
    public double finalAccuracy() {
        double last = Double.NaN;
        for (double a : accuracy.values()) {
            last = a;
        }
        return last;
    }

    /** The accuracy of the latest evaluation at or before {@code step}, NaN when none. */
    public double accuracyAt(long step) {
        double found = Double.NaN;
        for (Map.Entry<Long, Double> e : accuracy.entrySet()) {
            if (e.getKey() <= step) {
                found = e.getValue();
            }
        }
        return found;
    }

    /** Seconds of RL until the first evaluation at or above {@code target}, NaN when none reached it. */
    public double secondsTo(double target) {
        for (Map.Entry<Long, Double> e : accuracy.entrySet()) {
            if (e.getValue() >= target) {
                return rlSeconds.getOrDefault(e.getKey(), Double.NaN);
            }
        }
        return Double.NaN;
    }

    /** The best evaluation's accuracy. */
    public double bestAccuracy() {
        return accuracy.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
