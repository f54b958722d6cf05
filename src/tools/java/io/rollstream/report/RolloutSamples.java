package io.rollstream.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The groups of rollouts.jsonl the report shows. Only groups the learner trained on (when there are
 * any): a dropped group — most often for zero advantage, all its completions alike — teaches
 * nothing. Of those, the best and worst by mean reward (ties go to the more recent group) and the
 * most recent, {@code perKind} of each, and one group trained at each evaluation step (the last
 * {@value #EVALUATIONS_SHOWN}), as TRL's completion tables do.
 */
final class RolloutSamples {

    /** Evaluation steps that get a sample, the most recent ones. */
    static final int EVALUATIONS_SHOWN = 5;

    private RolloutSamples() {}

    /**
     * @param groups rollouts.jsonl, in order
     * @param evaluationSteps the 0-based {@code step} of each RL metrics line with an evaluation
     */
    static Map<String, List<JsonNode>> of(List<JsonNode> groups, List<Long> evaluationSteps, int perKind) {
        List<JsonNode> trained =
                groups.stream().filter(g -> g.has("trained_step")).toList();
        List<JsonNode> shown = trained.isEmpty() ? groups : trained;
        String which = trained.isEmpty() ? " (no group trained yet: dropped ones)" : " trained groups";
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < shown.size(); i++) {
            order.add(i);
        }
        Comparator<Integer> byReward = Comparator.comparingDouble(i -> meanReward(shown.get(i)));
        Comparator<Integer> recentFirst = Comparator.<Integer>naturalOrder().reversed();
        Map<String, List<JsonNode>> out = new LinkedHashMap<>();
        out.put("best" + which, pick(shown, order, byReward.reversed().thenComparing(recentFirst), perKind));
        out.put("worst" + which, pick(shown, order, byReward.thenComparing(recentFirst), perKind));
        out.put("most recent" + which, pick(shown, order, recentFirst, perKind));
        List<Long> lastEvaluations = evaluationSteps.subList(
                Math.max(0, evaluationSteps.size() - EVALUATIONS_SHOWN), evaluationSteps.size());
        for (long step : lastEvaluations) {
            trained.stream()
                    .filter(g -> g.path("trained_step").asLong() == step)
                    .findFirst()
                    .ifPresent(g -> out.put("trained at evaluation step " + (step + 1), List.of(g)));
        }
        return out;
    }

    /**
     * A group's completions with identical ones collapsed — completion, reward and advantage alike —
     * in the order they first appear, with how many there were.
     */
    record Row(String completion, String reward, double advantage, int count) {}

    static List<Row> rows(JsonNode group) {
        Map<List<Object>, Integer> counts = new LinkedHashMap<>();
        JsonNode completions = group.path("completions");
        for (int i = 0; i < completions.size(); i++) {
            List<Object> key = List.of(
                    completions.get(i).asText(),
                    group.path("rewards").path(i).asText(),
                    group.path("advantages").path(i).asDouble());
            counts.merge(key, 1, Integer::sum);
        }
        List<Row> rows = new ArrayList<>();
        counts.forEach((k, n) -> rows.add(new Row((String) k.get(0), (String) k.get(1), (Double) k.get(2), n)));
        return rows;
    }

    static double meanReward(JsonNode group) {
        double sum = 0;
        for (JsonNode r : group.path("rewards")) {
            sum += r.asDouble();
        }
        return group.path("rewards").isEmpty() ? 0 : sum / group.path("rewards").size();
    }

    private static List<JsonNode> pick(List<JsonNode> groups, List<Integer> order, Comparator<Integer> by, int n) {
        return order.stream().sorted(by).limit(n).map(groups::get).toList();
    }
}
