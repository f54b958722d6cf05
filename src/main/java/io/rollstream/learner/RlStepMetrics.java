package io.rollstream.learner;

import io.rollstream.eval.PeriodicEvaluator;
import io.rollstream.types.BatchStats;
import io.rollstream.types.Rollout;
import io.rollstream.types.StepMetrics;
import io.rollstream.types.TrainBatch;
import io.rollstream.types.TrainGroup;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the {@code metrics.jsonl} line of an RL step ({@link StepMetrics}) from the batch, the
 * learner's result and the step's timings.
 */
public final class RlStepMetrics {

    private RlStepMetrics() {}

    /**
     * Wall-clock facts about one learner step.
     *
     * @param publishSeconds publishing the step's policy
     * @param evalSeconds evaluating after it, or null when the step did not evaluate
     * @param runSeconds the RL job's running time at the step's end ({@code time_s})
     */
    public record Timing(
            double stepSeconds,
            double waitSeconds,
            double rolloutSeconds,
            double publishSeconds,
            Double evalSeconds,
            double runSeconds) {}

    /**
     * @param evaluation the held-out evaluation after the step, else null
     * @param epochKl the epochs of a fixed problem set this step completed, else null
     */
    public static StepMetrics of(
            TrainBatch batch,
            StepResult result,
            Timing timing,
            PeriodicEvaluator.Scores evaluation,
            StepMetrics.EpochKlProgress epochKl) {
        double sum = 0;
        double sumSq = 0;
        long rollouts = 0;
        long completionTokens = 0;
        long completionMax = 0;
        long cut = 0;
        double staleSum = 0;
        long staleMax = 0;
        for (TrainGroup g : batch.groups()) {
            long staleness = batch.step() - g.group().policyVersion();
            staleSum += staleness;
            staleMax = Math.max(staleMax, staleness);
            for (Rollout r : g.group().rollouts()) {
                sum += r.reward();
                sumSq += r.reward() * r.reward();
                completionTokens += r.tokens().length;
                completionMax = Math.max(completionMax, r.tokens().length);
                cut += r.truncated() ? 1 : 0; // ended by the length limit, not EOS
                rollouts++;
            }
        }
        double mean = sum / rollouts;
        KlSums kl = KlSums.of(batch);
        boolean distilled = kl.tokens() > 0; // the reverse KL to the teacher, per token, under the sampling policy
        StepMetrics.Rewards rewards = new StepMetrics.Rewards(
                mean,
                Math.sqrt(Math.max(0, sumSq / rollouts - mean * mean)),
                distilled ? kl.mean() : null,
                distilled ? kl.std() : null);
        StepMetrics.Samples samples = new StepMetrics.Samples(
                (double) completionTokens / rollouts,
                completionMax,
                (double) cut / rollouts,
                staleSum / batch.groups().length,
                staleMax);
        BatchStats s = batch.stats();
        int trained = batch.groups().length;
        StepMetrics.Groups groups = new StepMetrics.Groups(
                s.groupsReceived(),
                trained,
                s.groupsDroppedZeroAdvantage(),
                s.groupsDroppedStale(),
                s.groupsDroppedDifficulty(),
                s.groupsDroppedLength(),
                s.groupsWaiting(),
                s.pools().easy(),
                s.pools().normal(),
                s.pools().hard(),
                // this step's waste: scored groups received since the previous batch, and their tokens
                s.groupsReceived() > 0 ? (double) trained / s.groupsReceived() : null,
                completionTokens > 0 ? (double) s.completionTokensReceived() / completionTokens : null);
        StepMetrics.Throughput throughput = new StepMetrics.Throughput(
                s.completionTokensReceived(),
                timing.rolloutSeconds() > 0 ? s.completionTokensReceived() / timing.rolloutSeconds() : 0.0,
                timing.stepSeconds() > 0 ? result.tokens() / timing.stepSeconds() : 0.0,
                timing.waitSeconds());
        StepMetrics.Updates updates = new StepMetrics.Updates(
                timing.stepSeconds(), result.optimizerSteps(), result.skippedNonFinite(), result.skippedZeroGradient());
        // the trainer reports its phase times and learning rate beside the losses' diagnostics (PolicyTrainer)
        Map<String, Double> diagnostics = new LinkedHashMap<>(result.diagnostics());
        StepMetrics.Training training = new StepMetrics.Training(
                diagnostics.remove(PolicyTrainer.FORWARD_S),
                diagnostics.remove(PolicyTrainer.BACKWARD_S),
                diagnostics.remove(PolicyTrainer.OPTIMIZER_S),
                diagnostics.remove(PolicyTrainer.LEARNING_RATE));
        StepMetrics.StepTimes times =
                new StepMetrics.StepTimes(timing.publishSeconds(), timing.evalSeconds(), timing.runSeconds());
        return new StepMetrics(
                StepMetrics.Phase.RL,
                batch.step(),
                (long) batch.step() + 1,
                rewards,
                new StepMetrics.Optimization(result.loss(), result.gradNorm(), result.entropy()),
                samples,
                groups,
                StepMetrics.Totals.of(s.totals()),
                throughput,
                updates,
                training,
                diagnostics,
                evaluation == null ? null : evaluation.accuracy(),
                evaluation == null ? null : evaluation.passAt(),
                times,
                epochKl,
                null);
    }
}
