package io.rollstream.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The groups of rollouts.jsonl the report shows: the best and worst by mean reward (ties go to the
 * more recent group) and the most recent ones, {@code perKind} of each.
 */
final class RolloutSamples {

    private RolloutSamples() {}

    static Map<String, List<JsonNode>> of(List<JsonNode> groups, int perKind) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            order.add(i);
        }
        Comparator<Integer> byReward = Comparator.comparingDouble(i -> meanReward(groups.get(i)));
        Comparator<Integer> recentFirst = Comparator.<Integer>naturalOrder().reversed();
        Map<String, List<JsonNode>> out = new LinkedHashMap<>();
        out.put("best", pick(groups, order, byReward.reversed().thenComparing(recentFirst), perKind));
        out.put("worst", pick(groups, order, byReward.thenComparing(recentFirst), perKind));
        out.put("most recent", pick(groups, order, recentFirst, perKind));
        return out;
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
