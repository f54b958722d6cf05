package io.rollstream.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.common.Json;
import io.rollstream.output.JsonLines;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** metrics.jsonl lines as a typed record: every line older runs wrote reads, and writes back the same. */
class StepMetricsTest {

    /** Written by main just before the record existed: RL lines with every key of today. */
    private static final Path LAST_RUN = Path.of("src/test/resources/savepoints/main-ee02833/metrics.jsonl");
    /** An older run: SFT lines with evaluations, RL lines with keys since renamed or added. */
    private static final Path OLDER_RUN = Path.of("src/test/resources/runs/smoke/metrics.jsonl");

    @Test
    void everyLineOfTheLastRunWritesBackByteForByte() throws Exception {
        List<String> raw = Files.readAllLines(LAST_RUN);
        List<StepMetrics> typed = JsonLines.read(LAST_RUN, StepMetrics.class);
        assertThat(typed).extracting(StepMetrics::toJson).containsExactlyElementsOf(raw);
    }

    @Test
    void everyNumberOfAnOlderRunReadsBackUnderItsName() throws Exception {
        List<JsonNode> raw = JsonLines.read(OLDER_RUN);
        List<StepMetrics> typed = JsonLines.read(OLDER_RUN, StepMetrics.class);
        assertThat(typed).hasSameSizeAs(raw).anyMatch(StepMetrics::isSft).anyMatch(StepMetrics::isRl);
        for (int i = 0; i < raw.size(); i++) {
            Map<String, Double> numbers = typed.get(i).numbers();
            raw.get(i).fields().forEachRemaining(e -> {
                if (e.getValue().isNumber()) {
                    assertThat(numbers).containsEntry(e.getKey(), e.getValue().doubleValue());
                }
            });
            assertThat(typed.get(i).phase().key()).isEqualTo(raw.get(i).path("phase").asText());
        }
    }

    @Test
    void anRlLineKeepsItsKeysInTheOrderTheyWereWritten() throws Exception {
        JsonNode old = JsonLines.read(LAST_RUN).get(0);
        StepMetrics line = Json.mapper().treeToValue(old, StepMetrics.class);
        assertThat(line.isRl()).isTrue();
        assertThat(line.rewards().rewardMean()).isEqualTo(0.25);
        assertThat(line.totals().totalGroupsScored()).isEqualTo(6);
        assertThat(line.lossDiagnostics()).containsKeys("is_ratio_mean", "loss_mismatch_kl_sum");
        assertThat(line.invalidRecords()).isZero();
        List<String> written = fieldNames(Json.mapper().readTree(line.toJson()));
        assertThat(written).containsExactlyElementsOf(fieldNames(old));
    }

    @Test
    void aDistillationLineCarriesTheKlAndTheEpochsItCompleted() throws Exception {
        StepMetrics.EpochKlProgress epochs = new StepMetrics.EpochKlProgress(
                List.of(new StepMetrics.CompletedEpoch(3, 0.125)), 4, 0.5);
        StepMetrics line = new StepMetrics(StepMetrics.Phase.RL, 7, 8L, new StepMetrics.Rewards(0.5, 0.1, 0.25, 0.05),
                new StepMetrics.Optimization(0.1, 0.2, 0.3), new StepMetrics.Samples(3.0, 0.0, 0), null, null, null,
                new StepMetrics.Updates(0.4, 1, 0, 0), Map.of("is_ratio_mean", 1.0), 0.75, epochs, null);
        JsonNode json = Json.mapper().readTree(line.toJson());
        assertThat(json.path("kl_mean").asDouble()).isEqualTo(0.25);
        assertThat(json.path("epochs_completed_now").get(0).path("kl_mean").asDouble()).isEqualTo(0.125);
        assertThat(json.path("kl_epoch_std").asDouble()).isEqualTo(0.5);
        assertThat(json.has("groups_scored")).isFalse(); // a part left null is left out
        assertThat(fieldNames(json)).endsWith("is_ratio_mean", "eval_accuracy", "epochs_completed_now",
                "epochs_completed", "kl_epoch_std");
        assertThat(Json.mapper().readValue(line.toJson(), StepMetrics.class)).isEqualTo(line);
    }

    @Test
    void anSftLineHasTheWarmStartsKeysOnly() throws Exception {
        StepMetrics line = StepMetrics.sft(4, new StepMetrics.Optimization(1.5, 2.0, 0.5), 0.01, 0.4);
        assertThat(line.toJson()).isEqualTo("{\"phase\":\"sft\",\"step\":4,\"loss\":1.5,\"grad_norm\":2.0,"
                + "\"entropy\":0.5,\"step_time_s\":0.01,\"eval_accuracy\":0.4}");
        assertThat(line.numbers()).containsEntry("loss", 1.5).containsEntry("eval_accuracy", 0.4);
    }

    @Test
    void aLineWithoutPhaseOrStepIsRefused() {
        assertThatThrownBy(() -> Json.mapper().readValue("{\"loss\":1.0}", StepMetrics.class))
                .hasMessageContaining("\"phase\" and \"step\"");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
