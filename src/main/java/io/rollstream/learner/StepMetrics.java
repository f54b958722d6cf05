package io.rollstream.learner;

import io.rollstream.types.BatchStats;
import io.rollstream.types.GroupTotals;
import io.rollstream.types.Rollout;
import io.rollstream.types.TrainBatch;
import io.rollstream.types.TrainGroup;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds one {@code metrics.jsonl} object for an RL step from the batch, the learner's result and
 * the step's timings. Keys are snake_case and stable: plots, reports and tests read them.
 */
public final class StepMetrics {

    private StepMetrics() {}

    /** Wall-clock facts about one learner step. */
    public record Timing(double stepSeconds, double waitSeconds, double rolloutSeconds) {}

    /**
     * The waste of generation: this step's (scored groups received since the previous batch, and
     * the tokens they brought, against this batch) and the whole run's ({@code total_*}). A ratio
     * with nothing to divide by is left out.
     */
    private static void putWaste(Map<String, Object> m, BatchStats s, int trainedGroups, long trainedTokens) {
        if (s.groupsReceived() > 0) {
            m.put("generation_efficiency", (double) trainedGroups / s.groupsReceived());
        }
        if (trainedTokens > 0) {
            m.put("rollout_tokens_per_trained_token", (double) s.completionTokensReceived() / trainedTokens);
        }
        GroupTotals t = s.totals();
        m.put("total_groups_scored", t.scored());
        m.put("total_groups_trained", t.trained());
        m.put("total_groups_dropped_zero_advantage", t.droppedZeroAdvantage());
        m.put("total_groups_dropped_difficulty", t.droppedDifficulty());
        m.put("total_groups_dropped_stale", t.droppedStale());
        m.put("total_groups_dropped_length", t.droppedLength());
        m.put("total_groups_dropped_scoring_failed", t.droppedScoringFailed());
        if (t.scored() > 0) {
            m.put("total_generation_efficiency", t.generationEfficiency());
        }
        if (t.trainedTokens() > 0) {
            m.put("total_rollout_tokens_per_trained_token", t.rolloutTokensPerTrainedToken());
        }
    }

    public static Map<String, Object> rl(TrainBatch batch, StepResult result, Timing timing, Double evalAccuracy) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("phase", "rl");
        m.put("step", batch.step());
        m.put("policy_version", batch.step() + 1);
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
                cut += r.truncated() ? 1 : 0;
                rollouts++;
            }
        }
        double mean = sum / rollouts;
        m.put("reward_mean", mean);
        m.put("reward_std", Math.sqrt(Math.max(0, sumSq / rollouts - mean * mean)));
        KlSums kl = KlSums.of(batch);
        if (kl.tokens() > 0) { // distillation: the reverse KL to the teacher, per token, under the sampling policy
            m.put("kl_mean", kl.mean());
            m.put("kl_std", kl.std());
        }
        m.put("loss", result.loss());
        m.put("grad_norm", result.gradNorm());
        m.put("entropy", result.entropy());
        m.put("seq_len_mean", (double) completionTokens / rollouts);
        m.put("seq_len_max", completionMax);
        m.put("completions_cut_fraction", (double) cut / rollouts); // ended by the length limit, not EOS
        m.put("staleness_mean", staleSum / batch.groups().length);
        m.put("staleness_max", staleMax);
        BatchStats s = batch.stats();
        m.put("groups_scored", s.groupsReceived());
        m.put("groups_trained", batch.groups().length);
        m.put("groups_dropped_zero_advantage", s.groupsDroppedZeroAdvantage());
        m.put("groups_dropped_stale", s.groupsDroppedStale());
        m.put("groups_dropped_difficulty", s.groupsDroppedDifficulty());
        m.put("groups_dropped_length", s.groupsDroppedLength());
        m.put("groups_waiting", s.groupsWaiting());
        m.put("pool_easy", s.pools().easy());
        m.put("pool_normal", s.pools().normal());
        m.put("pool_hard", s.pools().hard());
        putWaste(m, s, batch.groups().length, completionTokens);
        m.put("rollout_tokens", s.completionTokensReceived());
        m.put("rollout_tokens_per_s", timing.rolloutSeconds() > 0 ? s.completionTokensReceived() / timing.rolloutSeconds() : 0.0);
        m.put("learner_tokens_per_s", timing.stepSeconds() > 0 ? result.tokens() / timing.stepSeconds() : 0.0);
        m.put("learner_wait_s", timing.waitSeconds());
        m.put("step_time_s", timing.stepSeconds());
        m.put("optimizer_steps", result.optimizerSteps());
        m.put("skipped_non_finite", result.skippedNonFinite());
        m.put("skipped_zero_gradient", result.skippedZeroGradient());
        m.putAll(result.diagnostics());
        if (evalAccuracy != null) {
            m.put("eval_accuracy", evalAccuracy);
        }
        return m;
    }
}
