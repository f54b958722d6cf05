package io.rollstream.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import io.rollstream.types.DropReason;
import io.rollstream.types.FinishReason;
import io.rollstream.types.GroupOutcome;
import io.rollstream.types.PoolCounts;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;
import org.junit.jupiter.api.Test;

/** The rollouts.jsonl line of a group: its problem's answer, and finish reasons as the readers know them. */
class RolloutLogFormatTest {

    private static final RolloutLogFormat ALL = new RolloutLogFormat(RolloutLogFormat.Mode.ALL, 1);

    private static ScoredGroup group(String answer) {
        Rollout[] rollouts = {
            new Rollout(new int[] {5, 2}, new float[] {-1f, -1f}, "5", 1.0, FinishReason.STOP, null, null),
            new Rollout(new int[] {6, 6}, new float[] {-1f, -1f}, "66", 0.0, FinishReason.LENGTH, null, null),
            new Rollout(
                    new int[] {7, 2},
                    new float[] {-1f, -1f},
                    "7",
                    0.0,
                    FinishReason.SCORING_FAILED,
                    "IllegalStateException: broke",
                    null)
        };
        return new ScoredGroup(
                "p#0", "p", "arithmetic", "2+3=", answer, new int[] {1}, 0, 3, 0, PoolCounts.EMPTY, 1, rollouts, null);
    }

    private static JsonNode line(ScoredGroup group) throws Exception {
        return Json.mapper().readTree(ALL.render(GroupOutcome.dropped(group, new float[3], DropReason.SCORING_FAILED)));
    }

    @Test
    void aLineCarriesTheProblemsAnswerAfterItsPrompt() throws Exception {
        JsonNode line = line(group("5"));

        assertThat(line.path("answer").asText()).isEqualTo("5");
        assertThat(line.fieldNames()).toIterable().containsSubsequence("prompt", "answer", "admission");
    }

    @Test
    void aGroupWithoutAnAnswerWritesNoAnswerKey() throws Exception {
        assertThat(line(group(null)).has("answer"))
                .as("a group restored from state older than answers")
                .isFalse();
    }

    @Test
    void finishReasonsKeepTheirTextForExistingReaders() throws Exception {
        assertThat(line(group("5")).path("finish_reasons"))
                .extracting(JsonNode::asText)
                .containsExactly("stop", "length", "scoring_failed: IllegalStateException: broke");
    }
}
