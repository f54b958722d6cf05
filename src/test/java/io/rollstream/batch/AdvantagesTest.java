package io.rollstream.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import io.rollstream.types.ScoredGroup;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class AdvantagesTest {

    private static JsonNode vectors() throws IOException {
        try (InputStream in = AdvantagesTest.class.getResourceAsStream("/reference/loss_vectors.json")) {
            return Json.mapper().readTree(in);
        }
    }

    /**
     * group_mean, group_mean_std (GRPO), rloo (leave-one-out: r_i − mean of the others) and dr_grpo
     * against src/test/python/loss_reference.py, which computes them from the papers' definitions.
     */
    @Test
    void everyEstimatorMatchesTheReference() throws IOException {
        int checked = 0;
        for (JsonNode c : vectors().get("advantages")) {
            double[] rewards = new double[c.get("rewards").size()];
            for (int i = 0; i < rewards.length; i++) {
                rewards[i] = c.get("rewards").get(i).asDouble();
            }
            Advantages.Estimator estimator =
                    Advantages.Estimator.valueOf(c.get("estimator").asText().toUpperCase(Locale.ROOT));
            float[] actual = Advantages.compute(rewards, estimator);
            for (int i = 0; i < rewards.length; i++) {
                assertThat(actual[i])
                        .as("%s %s", estimator, c.get("rewards"))
                        .isCloseTo((float) c.get("advantages").get(i).asDouble(), within(1e-6f));
            }
            checked++;
        }
        assertThat(checked).isEqualTo(12);
        // RLOO by hand: [1, 0, 0, 1, 1] → 1 − (0+0+1+1)/4 = 0.5 and 0 − (1+0+1+1)/4 = −0.75
        assertThat(Advantages.compute(new double[] {1, 0, 0, 1, 1}, Advantages.Estimator.RLOO))
                .containsExactly(new float[] {0.5f, -0.75f, -0.75f, 0.5f, 0.5f}, within(1e-7f));
        assertThatThrownBy(() -> Advantages.compute(new double[] {1}, Advantages.Estimator.RLOO))
                .hasMessageContaining("rloo");
    }

    /** DAPO's soft overlong punishment (L_max 8, L_cache 3) against the reference. */
    @Test
    void softOverlongPunishmentMatchesTheReference() throws IOException {
        for (JsonNode c : vectors().get("soft_overlong")) {
            Advantages.SoftOverlongPunishment p = new Advantages.SoftOverlongPunishment(
                    c.get("cache_tokens").asInt(), c.get("penalty").asDouble());
            assertThat(p.reward(c.get("length").asInt(), c.get("max_tokens").asInt()))
                    .as(c.toString())
                    .isCloseTo(c.get("reward").asDouble(), within(1e-12));
        }
    }

    /**
     * The punishment is added to each reward before the group baseline: four correct answers of 2,
     * 3, 4 and 5 tokens under L_max 6, L_cache 3 become rewards 1, 1, 2/3, 1/3 — a group that
     * would have had zero advantage now prefers the short answers.
     */
    @Test
    void shapedRewardsGiveAnAllCorrectGroupAdvantagesThatPreferShortAnswers() {
        ScoredGroup group = ScoredGroups.of("p", 0, 1, 1, 1, 1);
        assertThat(Advantages.of(group, Advantages.Config.GROUP_MEAN)).containsOnly(0f);
        float[] shaped = Advantages.of(
                group,
                new Advantages.Config(
                        Advantages.Estimator.GROUP_MEAN, new Advantages.SoftOverlongPunishment(3, 1.0), 6));
        double mean = (1 + 1 + 2.0 / 3 + 1.0 / 3) / 4;
        assertThat(shaped)
                .containsExactly(
                        new float[] {
                            (float) (1 - mean), (float) (1 - mean), (float) (2.0 / 3 - mean), (float) (1.0 / 3 - mean)
                        },
                        within(1e-6f));
    }

    @Test
    void rewardMinusGroupMean() {
        // r = [1, 0, 0, 1], mean 0.5 → A = [0.5, −0.5, −0.5, 0.5]
        assertThat(Advantages.groupRelative(new double[] {1, 0, 0, 1}, false))
                .containsExactly(0.5f, -0.5f, -0.5f, 0.5f);
        // r = [1, 0, 0, 0], mean 0.25 → A = [0.75, −0.25, −0.25, −0.25]
        assertThat(Advantages.groupRelative(new double[] {1, 0, 0, 0}, false))
                .containsExactly(0.75f, -0.25f, -0.25f, -0.25f);
    }

    @Test
    void dividedByPopulationStdPlusEpsilon() {
        // r = [1, 0, 0, 1]: mean 0.5, population std 0.5 → A = ±0.5 / 0.500001 = ±0.999998
        float[] a = Advantages.groupRelative(new double[] {1, 0, 0, 1}, true);
        assertThat(a).containsExactly(new float[] {0.999998f, -0.999998f, -0.999998f, 0.999998f}, within(1e-6f));
        // r = [1, 0, 0, 0]: mean 0.25, var = (0.5625 + 3·0.0625)/4 = 0.1875, std = 0.4330127
        // → A = [0.75, −0.25, −0.25, −0.25] / 0.4330137 = [1.732047, −0.577349, −0.577349, −0.577349]
        float[] b = Advantages.groupRelative(new double[] {1, 0, 0, 0}, true);
        assertThat(b).containsExactly(new float[] {1.732047f, -0.577349f, -0.577349f, -0.577349f}, within(1e-5f));
    }

    @Test
    void equalRewardsGiveExactZerosEvenWhereTheMeanWouldRound() {
        // 0.1 + 0.1 + 0.1 = 0.30000000000000004, / 3 ≠ 0.1: a naive r − mean is ±1e-17, not 0
        assertThat(Advantages.groupRelative(new double[] {0.1, 0.1, 0.1}, false))
                .containsExactly(0f, 0f, 0f);
        assertThat(Advantages.groupRelative(new double[] {0.1, 0.1, 0.1}, true)).containsExactly(0f, 0f, 0f);
    }

    @Test
    void advantagesOfAGroupSumToZero() {
        float[] a = Advantages.groupRelative(new double[] {0.3, 0.9, 0.1, 0.7, 0.2}, false);
        double sum = 0;
        for (float x : a) {
            sum += x;
        }
        assertThat(sum).isCloseTo(0, within(1e-6));
    }

    @Test
    void ofScoredGroupUsesItsRewardsInRolloutOrder() {
        assertThat(Advantages.of(ScoredGroups.learnable("p", 0), false)).containsExactly(0.5f, -0.5f, -0.5f, 0.5f);
    }

    @Test
    void emptyGroupIsRejected() {
        assertThatThrownBy(() -> Advantages.groupRelative(new double[0], false))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
