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
public record DistillationArm(
        int rolloutsPerPrompt,
        long seed,
        Map<Long, Double> epochKl,
        long sequences,
        long optimizerSteps,
        double loggedEpochStd,
        double heldOutAccuracy) {

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

    /**
     * The KL reduction read off the fitted trend ({@link #exponentialFit}) instead of two single
     * epochs: {@code 1 − exp(b·(last − first))}, in percent. Each epoch's KL is an estimate from the
     * epoch's sampled tokens (10 sequences at one rollout per prompt), so the first and last epochs
     * alone can make a run's reduction anything from ~40% to over 100%; the trend uses all of them.
     */
    public double klTrendReductionPercent() {
        long first = epochKl.keySet().iterator().next();
        long last = first;
        for (long epoch : epochKl.keySet()) {
            last = epoch;
        }
        return 100 * (1 - Math.exp(exponentialFit()[1] * (last - first)));
    }

    /** The plain σ: population standard deviation of the per-epoch KL (trend included). */
    public double klEpochStd() {
        return EpochKl.std(epochKl.values());
    }

    /**
     * Population standard deviation of the per-epoch KL around its fitted exponential trend
     * {@code KL_e ≈ c·exp(b·e)} ({@link #exponentialFit}), in KL units: the fluctuation the trend does
     * not explain. A steady exponential decline, however steep, contributes nothing to it.
     */
    public double klResidualStd() {
        List<Double> residuals = new ArrayList<>();
        double[] fit = exponentialFit();
        epochKl.forEach((epoch, kl) -> residuals.add(kl - fit[0] * Math.exp(fit[1] * epoch)));
        return EpochKl.std(residuals);
    }

    /** The decay rates {@link #exponentialFit} searches: from ×e⁻³ to ×e per epoch. */
    static final double MIN_RATE = -3;

    static final double MAX_RATE = 1;

    /**
     * {@code {c, b}} of the least-squares exponential {@code KL_e ≈ c·exp(b·e)}, fitted in KL units
     * (not on log KL): the per-epoch KL is a sampled estimate (the mean of {@code log π − log teacher}
     * over the drawn tokens) and near convergence some epochs come out at or below zero, where a
     * log-linear fit is undefined. For a given {@code b} the best {@code c} is closed-form; {@code b}
     * is found by a grid scan over [{@link #MIN_RATE}, {@link #MAX_RATE}] refined by golden-section search.
     */
    double[] exponentialFit() {
        double step = 0.01;
        double best = MIN_RATE;
        for (double b = MIN_RATE; b <= MAX_RATE + 1e-12; b += step) {
            if (squaredError(b) < squaredError(best)) {
                best = b;
            }
        }
        double lo = Math.max(MIN_RATE, best - step);
        double hi = Math.min(MAX_RATE, best + step);
        double golden = (Math.sqrt(5) - 1) / 2;
        for (int i = 0; i < 100 && hi - lo > 1e-12; i++) {
            double x1 = hi - golden * (hi - lo);
            double x2 = lo + golden * (hi - lo);
            if (squaredError(x1) <= squaredError(x2)) {
                hi = x2;
            } else {
                lo = x1;
            }
        }
        double b = (lo + hi) / 2;
        return new double[] {scaleFor(b), b};
    }

    /** The least-squares {@code c} for rate {@code b}: Σ y·exp(b·e) / Σ exp(2b·e). */
    private double scaleFor(double b) {
        double num = 0;
        double den = 0;
        for (Map.Entry<Long, Double> e : epochKl.entrySet()) {
            double g = Math.exp(b * e.getKey());
            num += e.getValue() * g;
            den += g * g;
        }
        return num / den;
    }

    private double squaredError(double b) {
        double c = scaleFor(b);
        double sum = 0;
        for (Map.Entry<Long, Double> e : epochKl.entrySet()) {
            double r = e.getValue() - c * Math.exp(b * e.getKey());
            sum += r * r;
        }
        return sum;
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
