package io.rollstream.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rollstream.types.FinishReason;
import io.rollstream.types.PoolCounts;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PassRatesTest {

    private static final int G = 4;

    private static ScoredGroup group(int passes) {
        Rollout[] rollouts = new Rollout[G];
        for (int i = 0; i < G; i++) {
            rollouts[i] = new Rollout(
                    new int[] {2}, new float[] {0f}, "r", i < passes ? 1 : 0, FinishReason.STOP, null, null);
        }
        return new ScoredGroup("p#0", "p", "t", "q", "a", new int[] {1}, 0, 0, 0, PoolCounts.EMPTY, 1, rollouts, null);
    }

    @Test
    void beforeAnyGroupThePriorIsUniform() {
        // E[p^G] under Beta(1, 1) is 1 / (G + 1): a group is useful with chance 1 − 2 / (G + 1)
        assertThat(new PassRates(G, null).usefulChance(PassRates.Evidence.NONE))
                .isCloseTo(1 - 2.0 / (G + 1), within(1e-12));
    }

    @Test
    void theClosedFormIsThePosteriorMeanOfOneMinusPToTheGMinusOneMinusPToTheG() {
        PassRates rates = new PassRates(G, null);
        PassRates.Evidence evidence = new PassRates.Evidence(3, 10); // Beta(1 + 3, 1 + 7)
        SplittableRandom random = new SplittableRandom(1);
        double sum = 0;
        int samples = 400_000;
        for (int i = 0; i < samples; i++) {
            // Beta(4, 8) as the 4th smallest of 11 uniforms
            double[] u = new double[11];
            for (int k = 0; k < u.length; k++) {
                u[k] = random.nextDouble();
            }
            Arrays.sort(u);
            double p = u[3];
            sum += 1 - Math.pow(p, G) - Math.pow(1 - p, G);
        }
        assertThat(rates.usefulChance(evidence)).isCloseTo(sum / samples, within(3e-3));
    }

    @Test
    void thePriorIsFittedToTheTasksRecentProblemsAndTheEvidenceMovesEachProblemAway() {
        // A task where half the problems are always solved and half never: no group is useful, and
        // the group means (0 or 1) say so although the mean pass rate is 0.5.
        PassRates polarized = new PassRates(G, null);
        for (int i = 0; i < 400; i++) {
            polarized.observe(group(i % 2 == 0 ? 0 : G));
        }
        assertThat(polarized.usefulChance(PassRates.Evidence.NONE))
                .as("an unseen problem")
                .isLessThan(0.05);
        // A task where every problem is solved half the time: almost every group is useful.
        PassRates even = new PassRates(G, null);
        for (int i = 0; i < 400; i++) {
            even.observe(group(2));
        }
        assertThat(even.usefulChance(PassRates.Evidence.NONE)).isCloseTo(1 - 2 * Math.pow(0.5, G), within(0.01));
        // A problem that was solved 40 times out of 40 is unlikely to give a useful group.
        PassRates.Evidence solved = PassRates.Evidence.NONE;
        for (int i = 0; i < 10; i++) {
            solved = solved.plus(group(G));
        }
        assertThat(new PassRates(G, null).usefulChance(solved)).isLessThan(0.15);
    }

    @Test
    void theRunningAveragesSurviveASnapshot() {
        PassRates rates = new PassRates(G, null);
        for (int i = 0; i < 50; i++) {
            rates.observe(group(i % 3));
        }
        PassRates restored = new PassRates(G, rates.snapshot());
        assertThat(restored.usefulChance(PassRates.Evidence.NONE))
                .isEqualTo(rates.usefulChance(PassRates.Evidence.NONE));
    }
}
