package io.rollstream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The unbiased pass@k estimator against values computed by hand from 1 − C(n−c, k) / C(n, k). */
class PassAtKTest {

    private static final double EPS = 1e-12;

    @Test
    void matchesTheBinomialFormulaOnHandComputedCases() {
        assertThat(PassAtK.estimate(5, 2, 1)).isCloseTo(1 - 3.0 / 5, within(EPS)); // C(3,1)/C(5,1)
        assertThat(PassAtK.estimate(5, 2, 2)).isCloseTo(1 - 3.0 / 10, within(EPS)); // C(3,2)/C(5,2)
        assertThat(PassAtK.estimate(8, 1, 4)).isCloseTo(1 - 35.0 / 70, within(EPS)); // C(7,4)/C(8,4)
        assertThat(PassAtK.estimate(8, 3, 2)).isCloseTo(1 - 10.0 / 28, within(EPS)); // C(5,2)/C(8,2)
        assertThat(PassAtK.estimate(10, 4, 3)).isCloseTo(1 - 20.0 / 120, within(EPS)); // C(6,3)/C(10,3)
    }

    @Test
    void passAtOneIsTheShareOfCorrectSamples() {
        for (int c = 0; c <= 16; c++) {
            assertThat(PassAtK.estimate(16, c, 1)).isCloseTo(c / 16.0, within(EPS));
        }
    }

    @Test
    void noCorrectSampleIsZeroAndTooFewWrongOnesToFillKIsOne() {
        assertThat(PassAtK.estimate(4, 0, 1)).isZero();
        assertThat(PassAtK.estimate(4, 0, 4)).isZero();
        assertThat(PassAtK.estimate(5, 2, 4)).isEqualTo(1.0); // 3 wrong ones cannot fill 4 draws
        assertThat(PassAtK.estimate(8, 1, 8)).isEqualTo(1.0); // k = n: any correct sample
    }

    @Test
    void largeSampleCountsDoNotOverflow() {
        // C(199,100)/C(200,100) = 100/200
        assertThat(PassAtK.estimate(200, 1, 100)).isCloseTo(0.5, within(1e-12));
        // C(998,500)/C(1000,500) = (500·499)/(1000·999)
        assertThat(PassAtK.estimate(1000, 2, 500)).isCloseTo(1 - (500.0 * 499) / (1000.0 * 999), within(1e-12));
    }

    @Test
    void reportsPowersOfTwoAndTheSampleCount() {
        assertThat(PassAtK.ks(1)).containsExactly(1);
        assertThat(PassAtK.ks(2)).containsExactly(1, 2);
        assertThat(PassAtK.ks(6)).containsExactly(1, 2, 4, 6);
        assertThat(PassAtK.ks(8)).containsExactly(1, 2, 4, 8);
    }

    @Test
    void theMeanOverProblemsIsTakenForEveryK() {
        Map<Integer, Double> passAt = PassAtK.mean(8, new int[] {0, 1, 8});
        assertThat(passAt.keySet()).containsExactly(1, 2, 4, 8);
        assertThat(passAt.get(1)).isCloseTo((0 + 1.0 / 8 + 1) / 3, within(EPS));
        assertThat(passAt.get(2)).isCloseTo((0 + (1 - 21.0 / 28) + 1) / 3, within(EPS)); // C(7,2)/C(8,2)
        assertThat(passAt.get(4)).isCloseTo((0 + 0.5 + 1) / 3, within(EPS));
        assertThat(passAt.get(8)).isCloseTo(2.0 / 3, within(EPS));
        assertThat(List.copyOf(passAt.values())).isSorted(); // more draws never lower pass@k
    }

    @Test
    void impossibleCountsAreRefused() {
        assertThatThrownBy(() -> PassAtK.estimate(4, 5, 1)).hasMessageContaining("c=5");
        assertThatThrownBy(() -> PassAtK.estimate(4, 1, 5)).hasMessageContaining("k=5");
        assertThatThrownBy(() -> PassAtK.estimate(4, 1, 0)).hasMessageContaining("k=0");
        assertThatThrownBy(() -> PassAtK.mean(4, new int[0])).hasMessageContaining("at least one problem");
    }
}
