package io.rollstream.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.types.StepMetrics;
import io.rollstream.types.StepMetrics.Groups;
import io.rollstream.types.StepMetrics.Rewards;
import io.rollstream.types.StepMetrics.Samples;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/** The report's headline numbers, as label → formatted value, from a run's metrics lines. */
final class ReportSummary {

    private ReportSummary() {}

    static Map<String, String> of(RunRecords run) {
        Map<String, String> s = new LinkedHashMap<>();
        List<StepMetrics> rl = run.rl();
        s.put("status", run.finished() ? "finished (final-model.rsckpt saved)" : "in progress (or stopped early)");
        s.put(
                "SFT warm-start steps",
                run.sft().isEmpty()
                        ? "0"
                        : Long.toString(run.sft().get(run.sft().size() - 1).step() + 1));
        s.put("RL steps", Integer.toString(rl.size()));
        List<JsonNode> restarts = run.events().stream()
                .filter(e -> "restart".equals(e.path("event").asText()))
                .toList();
        s.put(
                "restarts",
                restarts.isEmpty()
                        ? "0"
                        : restarts.size() + " (last: "
                                + restarts.get(restarts.size() - 1)
                                        .path("cause")
                                        .asText() + ")");
        s.put("stops / resumes", count(run.events(), "stop") + " / " + count(run.events(), "resume"));
        lastEval(run.sft()).ifPresent(a -> s.put("held-out accuracy after SFT", percent(a)));
        lastEval(rl).ifPresent(a -> s.put("held-out accuracy, latest", percent(a)));
        rl.stream()
                .filter(StepMetrics::evaluated)
                .mapToDouble(StepMetrics::evalAccuracy)
                .max()
                .ifPresent(a -> s.put("held-out accuracy, best", percent(a)));
        rl.stream()
                .filter(m -> !m.evalPassAt().isEmpty())
                .reduce((a, b) -> b)
                .ifPresent(m -> s.put(
                        "held-out "
                                + m.evalPassAt().keySet().stream()
                                        .map(k -> "pass@" + k)
                                        .collect(Collectors.joining(" / "))
                                + ", latest",
                        m.evalPassAt().values().stream()
                                .map(ReportSummary::percent)
                                .collect(Collectors.joining(" / "))));
        if (!rl.isEmpty()) {
            s.put(
                    "reward_mean, first → last step",
                    String.format(
                            "%.3f → %.3f",
                            rl.get(0).value(StepMetrics::rewards, Rewards::rewardMean, 0),
                            rl.get(rl.size() - 1).value(StepMetrics::rewards, Rewards::rewardMean, 0)));
            s.put(
                    "staleness_mean, average",
                    String.format("%.2f", mean(rl, m -> m.value(StepMetrics::samples, Samples::stalenessMean, 0))));
            s.put(
                    "groups trained",
                    String.format("%,.0f", sum(rl, m -> m.value(StepMetrics::groups, Groups::groupsTrained, 0))));
            s.put(
                    "groups dropped: zero_advantage",
                    String.format(
                            "%,.0f",
                            sum(rl, m -> m.value(StepMetrics::groups, Groups::groupsDroppedZeroAdvantage, 0))));
            s.put(
                    "groups dropped: difficulty",
                    String.format(
                            "%,.0f", sum(rl, m -> m.value(StepMetrics::groups, Groups::groupsDroppedDifficulty, 0))));
            s.put(
                    "groups dropped: stale",
                    String.format("%,.0f", sum(rl, m -> m.value(StepMetrics::groups, Groups::groupsDroppedStale, 0))));
            s.put(
                    "groups dropped: length",
                    String.format("%,.0f", sum(rl, m -> m.value(StepMetrics::groups, Groups::groupsDroppedLength, 0))));
            StepMetrics.Totals last = rl.get(rl.size() - 1).totals();
            if (last != null) { // the whole run's waste, as batch assembly counted it
                s.put(
                        "groups scored → trained (whole run)",
                        String.format("%,d → %,d", last.totalGroupsScored(), last.totalGroupsTrained()));
                s.put(
                        "generation efficiency (trained ÷ scored groups)",
                        percent(orZero(last.totalGenerationEfficiency())));
                s.put(
                        "rollout tokens per trained token",
                        String.format("%.2f", orZero(last.totalRolloutTokensPerTrainedToken())));
            }
            if (rl.stream().allMatch(Metric.ROLLOUT_TOKENS::in)) {
                s.put(
                        "rollout tokens/s (all tokens ÷ RL time)",
                        String.format("%,.0f", Rates.total(rl, Metric.ROLLOUT_TOKENS::of)));
            }
            s.put(
                    "learner tokens/s (all tokens ÷ RL time)",
                    String.format("%,.0f", Rates.total(rl, Rates::learnerTokens)));
            StepMetrics end = rl.get(rl.size() - 1);
            if (Metric.TIME_S.in(end)) {
                s.put("RL running time", String.format("%.1f min", Metric.TIME_S.of(end) / 60));
            }
            double busy = sum(rl, Metric.STEP_TIME_S::of);
            double waited = sum(rl, Metric.LEARNER_WAIT_S::of);
            s.put(
                    "learner time: training / waiting",
                    String.format(
                            "%.1f s / %.1f s (busy %.0f%%)",
                            busy, waited, busy + waited > 0 ? 100 * busy / (busy + waited) : 0));
        }
        return s;
    }

    private static long count(List<JsonNode> events, String event) {
        return events.stream()
                .filter(e -> event.equals(e.path("event").asText()))
                .count();
    }

    private static Optional<Double> lastEval(List<StepMetrics> lines) {
        return lines.stream().filter(StepMetrics::evaluated).reduce((a, b) -> b).map(StepMetrics::evalAccuracy);
    }

    private static double sum(List<StepMetrics> lines, ToDoubleFunction<StepMetrics> value) {
        return lines.stream().mapToDouble(value).sum();
    }

    private static double mean(List<StepMetrics> lines, ToDoubleFunction<StepMetrics> value) {
        return lines.stream().mapToDouble(value).average().orElse(0);
    }

    private static double orZero(Double value) {
        return value != null ? value : 0;
    }

    private static String percent(double fraction) {
        return String.format("%.1f%%", 100 * fraction);
    }
}
