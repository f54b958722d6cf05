package io.rollstream.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The groups of rollouts.jsonl the report shows. Only groups the learner trained on (when there are
 * any): a dropped group — most often for zero advantage, all its completions alike — teaches
 * nothing. Of those, the best and worst by mean reward (ties go to the more recent group) and the
 * most recent, {@code perKind} of each, and one group trained at each evaluation step (the last
 * {@value #EVALUATIONS_SHOWN}), as TRL's completion tables do. A group is shown once: the most
 * recent are chosen first, then the best and the worst among the others (a kind left with none is
 * not shown), and an evaluation step's sample is a group not shown yet where it has one.
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
        Set<Integer> used = new HashSet<>();
        List<JsonNode> recent = pick(shown, order, recentFirst, perKind, used);
        List<JsonNode> best = pick(shown, order, byReward.reversed().thenComparing(recentFirst), perKind, used);
        List<JsonNode> worst = pick(shown, order, byReward.thenComparing(recentFirst), perKind, used);
        Map<String, List<JsonNode>> out = new LinkedHashMap<>();
        putUnlessEmpty(out, "best" + which, best);
        putUnlessEmpty(out, "worst" + which, worst);
        putUnlessEmpty(out, "most recent" + which, recent);
        if (trained.isEmpty()) {
            return out;
        }
        List<Long> lastEvaluations = evaluationSteps.subList(
                Math.max(0, evaluationSteps.size() - EVALUATIONS_SHOWN), evaluationSteps.size());
        for (long step : lastEvaluations) {
            List<Integer> atStep = order.stream()
                    .filter(i -> shown.get(i).path("trained_step").asLong() == step)
                    .toList();
            atStep.stream()
                    .filter(i -> !used.contains(i))
                    .findFirst()
                    .or(() -> atStep.stream().findFirst())
                    .ifPresent(i -> {
                        used.add(i);
                        out.put("trained at evaluation step " + (step + 1), List.of(shown.get(i)));
                    });
        }
        return out;
    }

    private static void putUnlessEmpty(Map<String, List<JsonNode>> out, String kind, List<JsonNode> groups) {
        if (!groups.isEmpty()) {
            out.put(kind, groups);
        }
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

    /** The first {@code n} groups by {@code by} that are not in {@code used}, which they then join. */
    private static List<JsonNode> pick(
            List<JsonNode> groups, List<Integer> order, Comparator<Integer> by, int n, Set<Integer> used) {
        List<Integer> picked = order.stream()
                .filter(i -> !used.contains(i))
                .sorted(by)
                .limit(n)
                .toList();
        used.addAll(picked);
        return picked.stream().map(groups::get).toList();
    }
}
