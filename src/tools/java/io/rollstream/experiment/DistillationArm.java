package io.rollstream.experiment;

import io.rollstream.learner.EpochKl;
import io.rollstream.output.JsonLines;
import io.rollstream.types.StepMetrics;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One distillation run of the variance experiment, read back from its {@code metrics.jsonl}: the
 * mean reverse KL of each epoch over the prompt set (as the learner logged it), the sequences
 * trained, and the student's last held-out accuracy.
 *
 * @param rolloutsPerPrompt rollouts sampled per prompt and epoch
 * @param seed the run's sampling seed ({@code rollout.seed})
 * @param epochKl epoch → mean per-token reverse KL of that epoch's rollouts
 * @param sequences rollouts trained on, over the whole run
 * @param optimizerSteps optimizer updates applied
 * @param loggedEpochStd the learner's own σ across epochs on its last line (a cross-check)
 * @param heldOutAccuracy the last evaluation's greedy accuracy, or NaN when none was logged
 */
public record DistillationArm(int rolloutsPerPrompt, long seed, Map<Long, Double> epochKl, long sequences, long optimizerSteps,
        double loggedEpochStd, double heldOutAccuracy) {

    /** Reads the arm from a run directory's {@code metrics.jsonl}. */
    public static DistillationArm read(int rolloutsPerPrompt, long seed, Path metrics) throws IOException {
        Map<Long, Double> epochs = new TreeMap<>();
        long sequences = 0;
        long optimizerSteps = 0;
        double loggedStd = Double.NaN;
        double accuracy = Double.NaN;
        for (StepMetrics m : JsonLines.read(metrics, StepMetrics.class)) {
            if (!m.isRl()) {
                continue;
            }
            sequences += (long) m.value(StepMetrics::groups, StepMetrics.Groups::groupsTrained, 0) * rolloutsPerPrompt;
            optimizerSteps += (long) m.value(StepMetrics::updates, StepMetrics.Updates::optimizerSteps, 0);
            if (m.epochKl() != null) {
                m.epochKl().epochsCompletedNow().forEach(e -> epochs.put(e.epoch(), e.klMean()));
                loggedStd = m.epochKl().klEpochStd();
            }
            if (m.evaluated()) {
                accuracy = m.evalAccuracy();
            }
        }
        if (epochs.isEmpty()) {
            throw new IOException(metrics + " logs no completed epoch: was it a reverse_kl run over a fixed set"
                    + " (data.max_problems > 0)?");
        }
        return new DistillationArm(rolloutsPerPrompt, seed, epochs, sequences, optimizerSteps, loggedStd, accuracy);
    }

    public double klStart() {
        return epochKl.values().iterator().next();
    }

    public double klEnd() {
        double last = Double.NaN;
        for (double v : epochKl.values()) {
            last = v;
        }
        return last;
    }

    /** {@code (start − end) / start}, in percent. */
    public double klReductionPercent() {
        return 100 * (klStart() - klEnd()) / klStart();
    }

    /** The plain σ: population standard deviation of the per-epoch KL (trend included). */
    public double klEpochStd() {
        return EpochKl.std(epochKl.values());
    }

    /**
     * Population standard deviation of the per-epoch KL around its fitted exponential trend
     * {@code KL_e ≈ exp(a + b·e)} (a, b by least squares on log KL), in KL units: the fluctuation
     * the trend does not explain. A steady decline, however steep, contributes nothing to it.
     */
    public double klResidualStd() {
        List<Double> residuals = new ArrayList<>();
        double[] fit = logLinearFit();
        epochKl.forEach((epoch, kl) -> residuals.add(kl - Math.exp(fit[0] + fit[1] * epoch)));
        return EpochKl.std(residuals);
    }

    /** {@code {a, b}} of the least-squares line {@code log KL_e = a + b·e}. */
    double[] logLinearFit() {
        int n = epochKl.size();
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (Map.Entry<Long, Double> e : epochKl.entrySet()) {
            double x = e.getKey();
            double y = Math.log(e.getValue());
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        double denominator = n * sxx - sx * sx;
        double b = denominator == 0 ? 0 : (n * sxy - sx * sy) / denominator;
        return new double[] {(sy - b * sx) / n, b};
    }

    /**
     * Population standard deviation of the change from one epoch to the next: the epoch-to-epoch
     * fluctuation, which (unlike {@link #klEpochStd}) a steady downward trend barely contributes to.
     */
    public double klStepChangeStd() {
        List<Double> changes = new ArrayList<>();
        Double previous = null;
        for (double v : epochKl.values()) {
            if (previous != null) {
                changes.add(v - previous);
            }
            previous = v;
        }
        return EpochKl.std(changes);
    }
}
