package io.rollstream.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("djl")
class LossesTest {

    private static float[] ln(double... p) {
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = (float) Math.log(p[i]);
        }
        return out;
    }

    private static LossInputs inputs(NDManager m, float[] logp, float[] behaviour, float[] adv, float[] mask) {
        Shape s = new Shape(1, logp.length);
        NDArray lp = m.create(logp, s);
        lp.setRequiresGradient(true);
        return new LossInputs(lp, m.create(mask, s), m.create(adv, s), m.create(behaviour, s), m);
    }

    /**
     * prime-rl's DPPO + KL default on four tokens (p_train, p_behaviour, A, mask):
     * (0.5, 0.2, +1, T) masked high; (0.5, 0.2, −1, T) kept, ratio 2.5 → +2.5; (0.3, 0.6, −1, T)
     * masked low; (0.9, 0.85, +0.5, F) outside the completion. KL: 1e-3·(2·ln²2.5 + ln²0.5).
     */
    @Test
    void dppoPolicyGradientMatchesTheHandComputedExample() {
        try (NDManager m = NDManager.newBaseManager()) {
            LossInputs in = inputs(m, ln(0.5, 0.5, 0.3, 0.9), ln(0.2, 0.2, 0.6, 0.85),
                    new float[] {1, -1, -1, 0.5f}, new float[] {1, 1, 1, 0});
            PolicyGradientLoss loss = new PolicyGradientLoss(PolicyGradientLoss.Config.defaults());
            double expected = 2.5 + 1e-3 * (2 * Math.pow(Math.log(2.5), 2) + Math.pow(Math.log(0.5), 2));
            assertThat(loss.sum(in).getFloat()).isCloseTo((float) expected, within(1e-5f));
            assertThat(expected).isCloseTo(2.502160, within(1e-6));
            assertThat(loss.diagnostics(in).get("masked_tokens")).isEqualTo(2.0);
        }
    }

    @Test
    void withoutMaskingEveryCompletionTokenCounts() {
        try (NDManager m = NDManager.newBaseManager()) {
            LossInputs in = inputs(m, ln(0.5, 0.5, 0.3, 0.9), ln(0.2, 0.2, 0.6, 0.85),
                    new float[] {1, -1, -1, 0.5f}, new float[] {1, 1, 1, 0});
            PolicyGradientLoss loss = new PolicyGradientLoss(new PolicyGradientLoss.Config(
                    PolicyGradientLoss.Masking.NONE, 0.2, 0.2, 0.125, 8, 0));
            // −(2.5) + 2.5 + 0.5 = 0.5
            assertThat(loss.sum(in).getFloat()).isCloseTo(0.5f, within(1e-5f));
        }
    }

    @Test
    void tokenRatioMaskingDropsTokensOutsideTheBounds() {
        try (NDManager m = NDManager.newBaseManager()) {
            // ratios 2.5 (kept with high 3) and 10 (masked), advantage 1 each.
            LossInputs in = inputs(m, ln(0.5, 0.5), ln(0.2, 0.05), new float[] {1, 1}, new float[] {1, 1});
            PolicyGradientLoss loss = new PolicyGradientLoss(new PolicyGradientLoss.Config(
                    PolicyGradientLoss.Masking.TOKEN_RATIO, 0.2, 0.2, 0.5, 3, 0));
            assertThat(loss.sum(in).getFloat()).isCloseTo(-2.5f, within(1e-5f));
        }
    }

    @Test
    void onPolicyGradientIsAdvantageWeightedLogLikelihood() {
        try (NDManager m = NDManager.newBaseManager();
                GradientCollector c = Engine.getInstance().newGradientCollector()) {
            float[] logp = ln(0.4, 0.7);
            LossInputs in = inputs(m, logp, logp, new float[] {2, -1}, new float[] {1, 1});
            NDArray loss = new PolicyGradientLoss(PolicyGradientLoss.Config.defaults()).sum(in);
            c.backward(loss);
            // d/dlogp of −A·exp(logp − b) at logp = b is −A; the squared-log-ratio term has zero slope.
            assertThat(in.logprobs().getGradient().toFloatArray()).containsExactly(new float[] {-2f, 1f},
                    within(1e-6f));
        }
    }

    @Test
    void reverseKlRewardPushesTowardsTheTeacher() {
        try (NDManager m = NDManager.newBaseManager();
                GradientCollector c = Engine.getInstance().newGradientCollector()) {
            float[] student = ln(0.2, 0.6, 0.3);
            float[] teacher = ln(0.5, 0.3, 0.3);
            float[] reward = new float[3];
            for (int i = 0; i < 3; i++) {
                reward[i] = teacher[i] - student[i]; // negative reverse KL per token
            }
            assertThat(reward[0]).isPositive(); // teacher likes the token more: reinforce it
            assertThat(reward[1]).isNegative(); // teacher likes it less: suppress it
            assertThat(reward[2]).isZero(); // agreement: no signal
            LossInputs in = inputs(m, student, student, reward, new float[] {1, 1, 1});
            NDArray loss = new ReverseKlLoss().sum(in);
            double expected = -(student[0] * reward[0] + student[1] * reward[1]);
            assertThat(loss.getFloat()).isCloseTo((float) expected, within(1e-5f));
            c.backward(loss);
            float[] grad = in.logprobs().getGradient().toFloatArray();
            assertThat(grad[0]).isNegative(); // descending the loss raises log p of token 0
            assertThat(grad[1]).isPositive();
            assertThat(grad[2]).isZero();
        }
    }

    @Test
    void sftIsTheNegativeLogLikelihoodOfCompletionTokens() {
        try (NDManager m = NDManager.newBaseManager()) {
            LossInputs in = inputs(m, new float[] {-1, -2, -3}, new float[3], new float[3], new float[] {1, 1, 0});
            assertThat(new SftLoss().sum(in).getFloat()).isEqualTo(3f);
        }
    }
}
