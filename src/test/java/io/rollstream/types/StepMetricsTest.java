package io.rollstream.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import io.rollstream.output.JsonLines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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

    /**
     * Lines in the order the learner writes them since the run-experience keys (issue 18): the
     * completion lengths after seq_len_mean, rollout_tokens before its rate, the trainer's phases
     * and learning rate after the losses' diagnostics, publishing, evaluation and running time after
     * the evaluation, then the epochs and the invalid records.
     */
    @Test
    void aLineWithTheRunExperienceKeysWritesBackByteForByte() throws Exception {
        String common = "{\"phase\":\"rl\",\"step\":4,\"policy_version\":5,\"reward_mean\":0.25,\"reward_std\":0.5,"
                + "\"kl_mean\":0.125,\"kl_std\":0.0625,\"loss\":-0.02,\"grad_norm\":3.5,\"entropy\":1.0,"
                + "\"seq_len_mean\":2.5,\"seq_len_max\":4,\"completions_cut_fraction\":0.25,\"staleness_mean\":0.5,"
                + "\"staleness_max\":1,\"groups_scored\":6,\"groups_trained\":4,\"groups_dropped_zero_advantage\":2,"
                + "\"groups_dropped_stale\":0,\"groups_dropped_difficulty\":0,\"groups_dropped_length\":0,"
                + "\"groups_waiting\":0,\"pool_easy\":0,\"pool_normal\":6,\"pool_hard\":0,\"generation_efficiency\":0.5,"
                + "\"rollout_tokens_per_trained_token\":1.5,\"total_groups_scored\":6,\"total_groups_trained\":4,"
                + "\"total_groups_dropped_zero_advantage\":2,\"total_groups_dropped_difficulty\":0,"
                + "\"total_groups_dropped_stale\":0,\"total_groups_dropped_length\":0,"
                + "\"total_groups_dropped_scoring_failed\":0,\"total_generation_efficiency\":0.5,"
                + "\"total_rollout_tokens_per_trained_token\":1.5,\"rollout_tokens\":60,\"rollout_tokens_per_s\":269.5,"
                + "\"learner_tokens_per_s\":451.25,\"learner_wait_s\":0.639,\"step_time_s\":0.082,\"optimizer_steps\":1,"
                + "\"skipped_non_finite\":0,\"skipped_zero_gradient\":0,\"is_ratio_mean\":1.0,\"clipped_fraction\":0.0,"
                + "\"forward_s\":0.03,\"backward_s\":0.04,\"optimizer_s\":0.005,\"learning_rate\":1.0E-5,";
        List<String> lines = List.of(
                common + "\"publish_s\":0.002,\"time_s\":12.5,\"invalid_records\":0}",
                common + "\"eval_accuracy\":0.75,\"publish_s\":0.002,\"eval_s\":0.5,\"time_s\":13.0,"
                        + "\"epochs_completed_now\":[{\"epoch\":3,\"kl_mean\":0.125}],\"epochs_completed\":4,"
                        + "\"kl_epoch_std\":0.5,\"invalid_records\":2}");
        for (String raw : lines) {
            StepMetrics line = Json.mapper().readValue(raw, StepMetrics.class);
            assertThat(line.toJson()).isEqualTo(raw);
            assertThat(line.samples().seqLenMax()).isEqualTo(4);
            assertThat(line.samples().completionsCutFraction()).isEqualTo(0.25);
            assertThat(line.throughput().rolloutTokens()).isEqualTo(60);
            assertThat(line.training()).isEqualTo(new StepMetrics.Training(0.03, 0.04, 0.005, 1.0E-5));
            assertThat(line.lossDiagnostics()).containsOnlyKeys("is_ratio_mean", "clipped_fraction");
        }
        StepMetrics evaluated = Json.mapper().readValue(lines.get(1), StepMetrics.class);
        assertThat(evaluated.stepTimes()).isEqualTo(new StepMetrics.StepTimes(0.002, 0.5, 13.0));
        assertThat(Json.mapper()
                        .readValue(lines.get(0), StepMetrics.class)
                        .stepTimes()
                        .evalS())
                .isNull();
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
            assertThat(typed.get(i).phase().key())
                    .isEqualTo(raw.get(i).path("phase").asText());
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
        StepMetrics.EpochKlProgress epochs =
                new StepMetrics.EpochKlProgress(List.of(new StepMetrics.CompletedEpoch(3, 0.125)), 4, 0.5);
        StepMetrics line = new StepMetrics(
                StepMetrics.Phase.RL,
                7,
                8L,
                new StepMetrics.Rewards(0.5, 0.1, 0.25, 0.05),
                new StepMetrics.Optimization(0.1, 0.2, 0.3),
                new StepMetrics.Samples(3.0, null, null, 0.0, 0),
                null,
                null,
                null,
                new StepMetrics.Updates(0.4, 1, 0, 0),
                null,
                Map.of("is_ratio_mean", 1.0),
                0.75,
                null,
                null,
                epochs,
                null);
        JsonNode json = Json.mapper().readTree(line.toJson());
        assertThat(json.path("kl_mean").asDouble()).isEqualTo(0.25);
        assertThat(json.path("epochs_completed_now").get(0).path("kl_mean").asDouble())
                .isEqualTo(0.125);
        assertThat(json.path("kl_epoch_std").asDouble()).isEqualTo(0.5);
        assertThat(json.has("groups_scored")).isFalse(); // a part left null is left out
        assertThat(fieldNames(json))
                .endsWith("is_ratio_mean", "eval_accuracy", "epochs_completed_now", "epochs_completed", "kl_epoch_std");
        assertThat(Json.mapper().readValue(line.toJson(), StepMetrics.class)).isEqualTo(line);
    }

    @Test
    void passAtKIsWrittenAsFlatKeysAfterTheAccuracyAndReadsBack() throws Exception {
        StepMetrics line = new StepMetrics(
                StepMetrics.Phase.RL,
                7,
                8L,
                new StepMetrics.Rewards(0.5, 0.1, null, null),
                new StepMetrics.Optimization(0.1, 0.2, 0.3),
                null,
                null,
                null,
                null,
                new StepMetrics.Updates(0.4, 1, 0, 0),
                null,
                Map.of("is_ratio_mean", 1.0),
                0.75,
                Map.of(8, 0.9, 1, 0.5, 2, 0.625),
                new StepMetrics.StepTimes(0.01, 0.5, 12.0),
                null,
                null);
        JsonNode json = Json.mapper().readTree(line.toJson());
        assertThat(fieldNames(json))
                .endsWith(
                        "is_ratio_mean",
                        "eval_accuracy",
                        "eval_pass_at_1",
                        "eval_pass_at_2",
                        "eval_pass_at_8",
                        "publish_s",
                        "eval_s",
                        "time_s");
        assertThat(json.path("eval_pass_at_2").asDouble()).isEqualTo(0.625);
        StepMetrics read = Json.mapper().readValue(line.toJson(), StepMetrics.class);
        assertThat(read).isEqualTo(line);
        assertThat(read.lossDiagnostics()).containsOnlyKeys("is_ratio_mean"); // pass@k is not a diagnostic
        assertThat(read.evalPassAt()).containsExactly(Map.entry(1, 0.5), Map.entry(2, 0.625), Map.entry(8, 0.9));
        assertThat(read.evalPassAt(2)).isEqualTo(0.625);
        assertThat(read.evalPassAt(4)).isNull();
        assertThat(read.numbers()).containsEntry("eval_pass_at_8", 0.9).containsEntry("is_ratio_mean", 1.0);
    }

    @Test
    void anSftLineCarriesPassAtKWhenItsEvaluationSampled() throws Exception {
        StepMetrics line = StepMetrics.sft(4, new StepMetrics.Optimization(1.5, 2.0, 0.5), 0.01, 0.4, Map.of(1, 0.25));
        assertThat(line.toJson()).endsWith("\"eval_accuracy\":0.4,\"eval_pass_at_1\":0.25}");
        assertThat(Json.mapper().readValue(line.toJson(), StepMetrics.class)).isEqualTo(line);
    }

    @Test
    void anSftLineHasTheWarmStartsKeysOnly() throws Exception {
        StepMetrics line = StepMetrics.sft(4, new StepMetrics.Optimization(1.5, 2.0, 0.5), 0.01, 0.4, null);
        assertThat(line.toJson())
                .isEqualTo("{\"phase\":\"sft\",\"step\":4,\"loss\":1.5,\"grad_norm\":2.0,"
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
