package io.rollstream.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rollstream.types.BatchStats;
import io.rollstream.types.FinishReason;
import io.rollstream.types.GroupTotals;
import io.rollstream.types.PoolCounts;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;
import io.rollstream.types.StepMetrics;
import io.rollstream.types.TrainBatch;
import io.rollstream.types.TrainGroup;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-token KL sums and the per-epoch KL tracker, on hand-computed values (no DJL). */
class EpochKlTest {

    /** A one-rollout group of problem {@code problem} in epoch {@code epoch} with the given per-token rewards. */
    static TrainGroup group(String problem, long epoch, float... tokenRewards) {
        int[] tokens = new int[tokenRewards.length];
        Rollout r = new Rollout(tokens, new float[tokens.length], "x", 0, FinishReason.STOP, null, tokenRewards);
        ScoredGroup g = new ScoredGroup(
                ScoredGroup.groupId(problem, epoch),
                problem,
                "t",
                "q",
                "a",
                new int[] {1},
                epoch,
                0,
                0,
                PoolCounts.EMPTY,
                1,
                new Rollout[] {r},
                null);
        return new TrainGroup(g, new float[1]);
    }

    static TrainBatch batch(long step, TrainGroup... groups) {
        return new TrainBatch(
                step,
                groups,
                new BatchStats(groups.length, 0, 0, 0, 0, 0, 0, 0, 0, PoolCounts.EMPTY, GroupTotals.NONE));
    }

    @Test
    void batchKlIsMinusTheMeanTokenRewardWithItsStandardDeviation() {
        // KL per token = −reward: 0.5, −0.5 | 1.0 → mean 1/3, E[x²] = 0.5, var = 0.5 − 1/9 = 7/18.
        TrainBatch b = batch(0, group("a", 0, -0.5f, 0.5f), group("b", 0, -1f));
        KlSums kl = KlSums.of(b);
        assertThat(kl.tokens()).isEqualTo(3);
        assertThat(kl.mean()).isCloseTo(1.0 / 3, within(1e-7));
        assertThat(kl.std()).isCloseTo(Math.sqrt(7.0 / 18), within(1e-7));
        assertThat(KlSums.of(new Rollout(new int[2], new float[2], "x", 0, FinishReason.STOP, null, null))
                        .tokens())
                .isZero();
    }

    @Test
    void anEpochClosesWhenEveryProblemOfTheSetWasTrainedAndSigmaSpansTheClosedEpochs() {
        EpochKl tracker = new EpochKl(2);
        // Step 0: epoch 0 complete (KL tokens 1, 3 → mean 2); epoch 1 half done.
        Map<Long, Double> first = tracker.add(batch(0, group("a", 0, -1f), group("b", 0, -3f), group("a", 1, -0.5f)));
        assertThat(first).containsExactly(Map.entry(0L, 2.0));
        assertThat(tracker.stdAcrossEpochs()).isZero();
        // Step 1: epoch 1 completes with b's two tokens: (0.5 + 1 + 1) / 3.
        Map<Long, Double> second = tracker.add(batch(1, group("b", 1, -1f, -1f)));
        assertThat(second).containsOnlyKeys(1L);
        assertThat(second.get(1L)).isCloseTo(2.5 / 3, within(1e-9));
        double mean = (2.0 + 2.5 / 3) / 2;
        double sigma = Math.sqrt((Math.pow(2.0 - mean, 2) + Math.pow(2.5 / 3 - mean, 2)) / 2);
        assertThat(tracker.stdAcrossEpochs()).isCloseTo(sigma, within(1e-9));
        StepMetrics.EpochKlProgress metrics = tracker.metrics(second);
        assertThat(metrics.epochsCompleted()).isEqualTo(2);
        assertThat(metrics.epochsCompletedNow()).isNotEmpty();
        assertThat(metrics.klEpochStd()).isCloseTo(sigma, within(1e-9));
        assertThat(tracker.metrics(Map.of())).isNull();
    }

    @Test
    void itsStateSurvivesAJsonRoundTripMidEpoch() {
        EpochKl tracker = new EpochKl(2);
        tracker.add(batch(0, group("a", 0, -1f), group("b", 0, -3f), group("a", 1, -0.5f)));
        EpochKl restored = EpochKl.fromJson(2, tracker.toJson());
        assertThat(restored.completed()).isEqualTo(tracker.completed());
        // The half-done epoch 1 continues where it was.
        assertThat(restored.add(batch(1, group("b", 1, -1f, -1f))).get(1L)).isCloseTo(2.5 / 3, within(1e-9));
        assertThat(restored.completed()).containsOnlyKeys(0L, 1L);
    }

    @Test
    void sigmaIsThePopulationStandardDeviation() {
        assertThat(EpochKl.std(List.of(1.0, 3.0))).isEqualTo(1.0);
        assertThat(EpochKl.std(List.of(5.0))).isZero();
    }
}
