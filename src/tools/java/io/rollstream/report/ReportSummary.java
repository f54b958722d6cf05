package io.rollstream.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The report's headline numbers, as label → formatted value, from a run's metrics lines. */
final class ReportSummary {

    private ReportSummary() {}

    static Map<String, String> of(RunRecords run) {
        Map<String, String> s = new LinkedHashMap<>();
        List<JsonNode> rl = run.rl();
        s.put("status", run.finished() ? "finished (final-model.rsckpt saved)" : "in progress (or stopped early)");
        s.put("SFT warm-start steps", run.sft().isEmpty() ? "0"
                : Long.toString(run.sft().get(run.sft().size() - 1).path("step").asLong() + 1));
        s.put("RL steps", Integer.toString(rl.size()));
        List<JsonNode> restarts = run.events().stream().filter(e -> "restart".equals(e.path("event").asText())).toList();
        s.put("restarts", restarts.isEmpty() ? "0" : restarts.size() + " (last: "
                + restarts.get(restarts.size() - 1).path("cause").asText() + ")");
        s.put("stops / resumes", count(run.events(), "stop") + " / " + count(run.events(), "resume"));
        lastEval(run.sft()).ifPresent(a -> s.put("held-out accuracy after SFT", percent(a)));
        lastEval(rl).ifPresent(a -> s.put("held-out accuracy, latest", percent(a)));
        rl.stream().filter(m -> m.has("eval_accuracy")).mapToDouble(m -> m.path("eval_accuracy").asDouble()).max()
                .ifPresent(a -> s.put("held-out accuracy, best", percent(a)));
        if (!rl.isEmpty()) {
            s.put("reward_mean, first → last step", String.format("%.3f → %.3f",
                    rl.get(0).path("reward_mean").asDouble(), rl.get(rl.size() - 1).path("reward_mean").asDouble()));
            s.put("staleness_mean, average", String.format("%.2f", mean(rl, m -> m.path("staleness_mean").asDouble())));
            s.put("groups trained", String.format("%.0f", sum(rl, m -> m.path("groups_trained").asDouble())));
            for (String reason : List.of("zero_advantage", "difficulty", "stale", "length")) {
                s.put("groups dropped: " + reason,
                        String.format("%.0f", sum(rl, m -> m.path("groups_dropped_" + reason).asDouble())));
            }
            JsonNode last = rl.get(rl.size() - 1);
            if (last.has("total_groups_scored")) { // the whole run's waste, as batch assembly counted it
                s.put("groups scored → trained (whole run)", String.format("%d → %d",
                        last.path("total_groups_scored").asLong(), last.path("total_groups_trained").asLong()));
                s.put("generation efficiency (trained ÷ scored groups)",
                        percent(last.path("total_generation_efficiency").asDouble()));
                s.put("rollout tokens per trained token",
                        String.format("%.2f", last.path("total_rollout_tokens_per_trained_token").asDouble()));
            }
            s.put("rollout tokens/s, average", String.format("%,.0f", mean(rl, m -> m.path("rollout_tokens_per_s").asDouble())));
            s.put("learner tokens/s, average", String.format("%,.0f", mean(rl, m -> m.path("learner_tokens_per_s").asDouble())));
            double busy = sum(rl, m -> m.path("step_time_s").asDouble());
            double waited = sum(rl, m -> m.path("learner_wait_s").asDouble());
            s.put("learner time: training / waiting", String.format("%.1f s / %.1f s (busy %.0f%%)", busy, waited,
                    busy + waited > 0 ? 100 * busy / (busy + waited) : 0));
        }
        return s;
    }

    private static long count(List<JsonNode> events, String event) {
        return events.stream().filter(e -> event.equals(e.path("event").asText())).count();
    }

    private static java.util.Optional<Double> lastEval(List<JsonNode> lines) {
        return lines.stream().filter(m -> m.has("eval_accuracy")).reduce((a, b) -> b)
                .map(m -> m.path("eval_accuracy").asDouble());
    }

    private static double sum(List<JsonNode> lines, ToDoubleFunction<JsonNode> value) {
        return lines.stream().mapToDouble(value).sum();
    }

    private static double mean(List<JsonNode> lines, ToDoubleFunction<JsonNode> value) {
        return lines.stream().mapToDouble(value).average().orElse(0);
    }

    private static String percent(double fraction) {
        return String.format("%.1f%%", 100 * fraction);
    }
}
