package io.rollstream.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollstream.common.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The report shows each group once: most recent first, then the best and worst of the others. */
class RolloutSamplesTest {

    /** Group {@code id}, trained at {@code step}, whose completions earned {@code rewards}. */
    private static JsonNode group(int id, long step, double... rewards) {
        ObjectNode g = Json.mapper().createObjectNode();
        g.put("prompt", "p" + id);
        g.put("trained_step", step);
        var r = g.putArray("rewards");
        var c = g.putArray("completions");
        for (double x : rewards) {
            r.add(x);
            c.add("c");
        }
        return g;
    }

    private static List<String> prompts(List<JsonNode> groups) {
        return groups.stream().map(g -> g.path("prompt").asText()).collect(Collectors.toList());
    }

    @Test
    void noGroupIsShownUnderTwoKinds() {
        List<JsonNode> groups = new ArrayList<>();
        double[] means = {0.9, 0.1, 0.8, 0.2, 0.5, 0.95}; // the last group is both the best and the most recent
        for (int i = 0; i < means.length; i++) {
            groups.add(group(i, i, means[i], means[i]));
        }
        Map<String, List<JsonNode>> shown = RolloutSamples.of(groups, List.of(5L), 2);

        assertThat(prompts(shown.get("most recent trained groups"))).containsExactly("p5", "p4");
        assertThat(prompts(shown.get("best trained groups"))).containsExactly("p0", "p2");
        assertThat(prompts(shown.get("worst trained groups"))).containsExactly("p1", "p3");
        // step 5's only group is already shown: it is shown again rather than not at all
        assertThat(prompts(shown.get("trained at evaluation step 6"))).containsExactly("p5");
    }

    @Test
    void aKindLeftWithNoGroupIsNotShown() {
        List<JsonNode> groups = List.of(group(0, 0, 1, 0), group(1, 1, 0, 0), group(2, 1, 1, 1));
        Map<String, List<JsonNode>> shown = RolloutSamples.of(groups, List.of(1L), 2);

        assertThat(prompts(shown.get("most recent trained groups"))).containsExactly("p2", "p1");
        assertThat(prompts(shown.get("best trained groups"))).containsExactly("p0");
        assertThat(shown).doesNotContainKey("worst trained groups");
        // of step 1's groups, p1 and p2, both shown: the first of them
        assertThat(prompts(shown.get("trained at evaluation step 2"))).containsExactly("p1");
    }
}
