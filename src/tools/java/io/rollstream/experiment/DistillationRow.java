package io.rollstream.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * One row of the variance experiment: the same number of rollouts per prompt run once per sampling
 * seed (same teacher, same student start, same prompts), summarised as mean ± standard deviation
 * over the seeds, so that a difference between rows can be told from the seed-to-seed scatter.
 *
 * @param rolloutsPerPrompt rollouts sampled per prompt and epoch
 * @param runs one arm per sampling seed
 */
public record DistillationRow(int rolloutsPerPrompt, List<DistillationArm> runs) {

    public DistillationRow {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("a row needs at least one run");
        }
        runs = List.copyOf(runs);
    }

    /** Mean and sample standard deviation (n − 1; 0 for one run) of a quantity over the seeds. */
    public record Spread(double mean, double std, int n) {

        static Spread of(List<Double> values) {
            double mean =
                    values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double ss = 0;
            for (double v : values) {
                ss += (v - mean) * (v - mean);
            }
            return new Spread(mean, values.size() > 1 ? Math.sqrt(ss / (values.size() - 1)) : 0, values.size());
        }

        /**
         * Welch's t of {@code this.mean − other.mean}: beyond about 2 (for 5 seeds a row, two-sided
         * p ≈ 0.05 needs about 2.3–2.8) the difference is larger than the seeds' scatter explains.
         */
        public double t(Spread other) {
            double se = Math.sqrt(std * std / n + other.std * other.std / other.n);
            return se == 0
                    ? (mean == other.mean ? 0 : Double.POSITIVE_INFINITY * Math.signum(mean - other.mean))
                    : (mean - other.mean) / se;
        }
    }

    public Spread spread(ToDoubleFunction<DistillationArm> quantity) {
        List<Double> values = new ArrayList<>();
        for (DistillationArm arm : runs) {
            values.add(quantity.applyAsDouble(arm));
        }
        return Spread.of(values);
    }

    public Spread klStart() {
        return spread(DistillationArm::klStart);
    }

    public Spread klEnd() {
        return spread(DistillationArm::klEnd);
    }

    public Spread klReductionPercent() {
        return spread(DistillationArm::klReductionPercent);
    }

    public Spread klTrendReductionPercent() {
        return spread(DistillationArm::klTrendReductionPercent);
    }

    public Spread klEpochStd() {
        return spread(DistillationArm::klEpochStd);
    }

    public Spread klResidualStd() {
        return spread(DistillationArm::klResidualStd);
    }

    public Spread klStepChangeStd() {
        return spread(DistillationArm::klStepChangeStd);
    }

    public Spread heldOutAccuracy() {
        return spread(DistillationArm::heldOutAccuracy);
    }

    /** Sequences trained per run (the same for every seed). */
    public long sequences() {
        return runs.get(0).sequences();
    }

    /** Optimizer steps per run (the same for every seed unless a step was skipped). */
    public long optimizerSteps() {
        return runs.get(0).optimizerSteps();
    }

    /** Epoch → mean ± std over the seeds of that epoch's KL. */
    public Map<Long, Spread> klPerEpoch() {
        Map<Long, List<Double>> byEpoch = new TreeMap<>();
        for (DistillationArm arm : runs) {
            arm.epochKl()
                    .forEach((epoch, kl) -> byEpoch.computeIfAbsent(epoch, e -> new ArrayList<>())
                            .add(kl));
        }
        Map<Long, Spread> out = new TreeMap<>();
        byEpoch.forEach((epoch, values) -> out.put(epoch, Spread.of(values)));
        return out;
    }
}
