package io.rollstream.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AdvantagesTest {

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
        assertThat(Advantages.groupRelative(new double[] {0.1, 0.1, 0.1}, false)).containsExactly(0f, 0f, 0f);
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
