package io.rollstream.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The per-row draw, without DJL. */
class TokenSamplerTest {

    // probabilities 0.5, 0.25, 0.125, 0.125 at temperature 1
    private static final float[] LOGITS = {(float) Math.log(4), (float) Math.log(2), 0f, 0f};

    private static Map<Integer, Integer> histogram(SamplingConfig params, int draws) {
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
        Map<Integer, Integer> counts = histogram(SamplingConfig.sample(1), 40_000);
        assertThat(counts.get(0) / 40_000.0).isCloseTo(0.5, within(0.02));
        assertThat(counts.get(1) / 40_000.0).isCloseTo(0.25, within(0.02));
        assertThat(counts.get(3) / 40_000.0).isCloseTo(0.125, within(0.02));
    }

    @Test
    void topKKeepsOnlyTheKMostLikely() {
        assertThat(histogram(new SamplingConfig(1, 1, 2, 1, false), 5_000)).containsOnlyKeys(0, 1);
    }

    @Test
    void topPKeepsTheSmallestPrefixReachingP() {
        assertThat(histogram(new SamplingConfig(1, 0.7, 0, 1, false), 5_000)).containsOnlyKeys(0, 1);
        assertThat(histogram(new SamplingConfig(1, 0.5, 0, 1, false), 5_000)).containsOnlyKeys(0);
    }

    @Test
    void logprobIsUnderTheTemperedDistributionActuallySampled() {
        // top-p 0.5 keeps token 0 alone: it is drawn with probability 1
        TokenSampler.Draw draw =
                new TokenSampler(new SamplingConfig(1, 0.5, 0, 1, false)).draw(LOGITS, 0, 4, new SplittableRandom(3));
        assertThat(draw.token()).isZero();
        assertThat(draw.logprob()).isCloseTo(0f, within(1e-6f));
        // top-k 1 at temperature 2: the same single token
        TokenSampler.Draw hot =
                new TokenSampler(new SamplingConfig(2, 1, 1, 1, false)).draw(LOGITS, 0, 4, new SplittableRandom(3));
        assertThat(hot.logprob()).isCloseTo(0f, within(1e-6f));
        // untruncated at temperature 2: p ∝ (4, 2, 1, 1)^(1/2)
        double z = 2 + Math.sqrt(2) + 1 + 1;
        for (int seed = 0; seed < 20; seed++) {
            TokenSampler.Draw d = new TokenSampler(new SamplingConfig(2, 1, 0, 1, false))
                    .draw(LOGITS, 0, 4, new SplittableRandom(seed));
            double weight = new double[] {2, Math.sqrt(2), 1, 1}[d.token()];
            assertThat(d.logprob()).isCloseTo((float) Math.log(weight / z), within(1e-6f));
        }
    }

    /** top-p 0.7 keeps tokens 0 and 1 (0.5 + 0.25 ≥ 0.7): renormalised to 2/3 and 1/3. */
    @Test
    void truncatedLogprobsAreRenormalisedOverTheKeptSet() {
        for (SamplingConfig params :
                new SamplingConfig[] {new SamplingConfig(1, 0.7, 0, 1, false), new SamplingConfig(1, 1, 2, 1, false)}) {
            TokenSampler sampler = new TokenSampler(params);
            double mass = 0;
            Set<Integer> seen = new HashSet<>();
            for (int seed = 0; seed < 200; seed++) {
                TokenSampler.Draw d = sampler.draw(LOGITS, 0, 4, new SplittableRandom(seed));
                double expected = d.token() == 0 ? 2.0 / 3 : 1.0 / 3;
                assertThat(d.logprob()).isCloseTo((float) Math.log(expected), within(1e-6f));
                if (seen.add(d.token())) {
                    mass += Math.exp(d.logprob());
                }
            }
            assertThat(mass).isCloseTo(1.0, within(1e-6)); // the recorded distribution sums to 1
        }
    }

    @Test
    void greedyTakesTheArgmaxAndTheLowestIdOnTies() {
        TokenSampler greedy = new TokenSampler(SamplingConfig.greedy(1));
        assertThat(greedy.draw(LOGITS, 0, 4, new SplittableRandom(0)).token()).isZero();
        float[] tie = {0f, 3f, 3f};
        assertThat(greedy.draw(tie, 0, 3, new SplittableRandom(0)).token()).isEqualTo(1);
    }

    @Test
    void badSettingsNameTheKey() {
        assertThatThrownBy(() -> new SamplingConfig(0, 1, 0, 1, false)).hasMessageContaining("rollout.temperature");
        assertThatThrownBy(() -> new SamplingConfig(1, 0, 0, 1, false)).hasMessageContaining("rollout.top_p");
        assertThatThrownBy(() -> new SamplingConfig(1, 1, -1, 1, false)).hasMessageContaining("rollout.top_k");
        assertThatThrownBy(() -> new SamplingConfig(1, 1, 0, 0, false)).hasMessageContaining("rollout.max_new_tokens");
    }
}
