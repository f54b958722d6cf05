package io.rollstream.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** The per-row draw, without DJL. */
class TokenSamplerTest {

    // probabilities 0.5, 0.25, 0.125, 0.125 at temperature 1
    private static final float[] LOGITS = {(float) Math.log(4), (float) Math.log(2), 0f, 0f};

    private static Map<Integer, Integer> histogram(SamplingParams params, int draws) {
        TokenSampler sampler = new TokenSampler(params);
        SplittableRandom random = new SplittableRandom(1);
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < draws; i++) {
            counts.merge(sampler.draw(LOGITS, 0, 4, random).token(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void samplesInProportionToTheProbabilities() {
        Map<Integer, Integer> counts = histogram(SamplingParams.sample(1), 40_000);
        assertThat(counts.get(0) / 40_000.0).isCloseTo(0.5, within(0.02));
        assertThat(counts.get(1) / 40_000.0).isCloseTo(0.25, within(0.02));
        assertThat(counts.get(3) / 40_000.0).isCloseTo(0.125, within(0.02));
    }

    @Test
    void topKKeepsOnlyTheKMostLikely() {
        assertThat(histogram(new SamplingParams(1, 1, 2, 1, false), 5_000)).containsOnlyKeys(0, 1);
    }

    @Test
    void topPKeepsTheSmallestPrefixReachingP() {
        assertThat(histogram(new SamplingParams(1, 0.7, 0, 1, false), 5_000)).containsOnlyKeys(0, 1);
        assertThat(histogram(new SamplingParams(1, 0.5, 0, 1, false), 5_000)).containsOnlyKeys(0);
    }

    @Test
    void logprobIsUnderTheTemperedUntruncatedDistribution() {
        TokenSampler.Draw draw = new TokenSampler(new SamplingParams(1, 0.5, 0, 1, false))
                .draw(LOGITS, 0, 4, new SplittableRandom(3));
        assertThat(draw.token()).isZero();
        assertThat(draw.logprob()).isCloseTo((float) Math.log(0.5), within(1e-6f));
        // temperature 2 flattens: p ∝ (4, 2, 1, 1)^(1/2)
        TokenSampler.Draw hot = new TokenSampler(new SamplingParams(2, 1, 1, 1, false))
                .draw(LOGITS, 0, 4, new SplittableRandom(3));
        double z = 2 + Math.sqrt(2) + 1 + 1;
        assertThat(hot.logprob()).isCloseTo((float) Math.log(2 / z), within(1e-6f));
    }

    @Test
    void greedyTakesTheArgmaxAndTheLowestIdOnTies() {
        TokenSampler greedy = new TokenSampler(SamplingParams.greedy(1));
        assertThat(greedy.draw(LOGITS, 0, 4, new SplittableRandom(0)).token()).isZero();
        float[] tie = {0f, 3f, 3f};
        assertThat(greedy.draw(tie, 0, 3, new SplittableRandom(0)).token()).isEqualTo(1);
    }

    @Test
    void badSettingsNameTheKey() {
        assertThatThrownBy(() -> new SamplingParams(0, 1, 0, 1, false)).hasMessageContaining("rollout.temperature");
        assertThatThrownBy(() -> new SamplingParams(1, 0, 0, 1, false)).hasMessageContaining("rollout.top_p");
        assertThatThrownBy(() -> new SamplingParams(1, 1, -1, 1, false)).hasMessageContaining("rollout.top_k");
        assertThatThrownBy(() -> new SamplingParams(1, 1, 0, 0, false)).hasMessageContaining("rollout.max_new_tokens");
    }
}
