package io.rollstream.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Map;
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

    private static Map<String, Double> stats(Loss loss, LossInputs in) {
        LossStats stats = new LossStats();
        loss.addStats(in, stats);
        return stats.metrics();
    }

    /**
     * prime-rl's DPPO + KL default on four tokens (p_train, p_behaviour, A, mask):
     * (0.5, 0.2, +1, T) masked high; (0.5, 0.2, −1, T) kept, ratio 2.5 → +2.5; (0.3, 0.6, −1, T)
     * masked low; (0.9, 0.85, +0.5, F) outside the completion. KL: 1e-3·(2·ln²2.5 + ln²0.5).
     */
    @Test
    void dppoPolicyGradientMatchesTheHandComputedExample() {
        try (NDManager m = NDManager.newBaseManager()) {
            LossInputs in = inputs(
                    m, ln(0.5, 0.5, 0.3, 0.9), ln(0.2, 0.2, 0.6, 0.85), new float[] {1, -1, -1, 0.5f}, new float[] {
                        1, 1, 1, 0
                    });
            DppoLoss loss = new DppoLoss(DppoLoss.Config.defaults());
            double expected = 2.5 + 1e-3 * (2 * Math.pow(Math.log(2.5), 2) + Math.pow(Math.log(0.5), 2));
            assertThat(loss.perToken(in).sum().getFloat()).isCloseTo((float) expected, within(1e-5f));
            assertThat(expected).isCloseTo(2.502160, within(1e-6));
            Map<String, Double> stats = stats(loss, in);
            assertThat(stats.get("loss_masked_tokens")).isEqualTo(2.0);
            assertThat(stats.get("clipped_fraction")).isCloseTo(2.0 / 3, within(1e-9));
            assertThat(stats.get("masked_fraction")).isZero();
            assertThat(stats.get("is_ratio_mean")).isCloseTo((2.5 + 2.5 + 0.5) / 3, within(1e-6));
            assertThat(stats.get("is_ratio_max")).isCloseTo(2.5, within(1e-6));
        }
    }

    @Test
    void withoutMaskingEveryCompletionTokenCounts() {
        try (NDManager m = NDManager.newBaseManager()) {
            LossInputs in = inputs(
                    m, ln(0.5, 0.5, 0.3, 0.9), ln(0.2, 0.2, 0.6, 0.85), new float[] {1, -1, -1, 0.5f}, new float[] {
                        1, 1, 1, 0
                    });
            DppoLoss loss = new DppoLoss(new DppoLoss.Config(DppoLoss.Masking.NONE, 0.2, 0.2, 0.125, 8, 0));
            // −(2.5) + 2.5 + 0.5 = 0.5
            assertThat(loss.perToken(in).sum().getFloat()).isCloseTo(0.5f, within(1e-5f));
        }
    }

    @Test
    void tokenRatioMaskingDropsTokensOutsideTheBounds() {
        try (NDManager m = NDManager.newBaseManager()) {
            // ratios 2.5 (kept with high 3) and 10 (masked), advantage 1 each.
            LossInputs in = inputs(m, ln(0.5, 0.5), ln(0.2, 0.05), new float[] {1, 1}, new float[] {1, 1});
            DppoLoss loss = new DppoLoss(new DppoLoss.Config(DppoLoss.Masking.TOKEN_RATIO, 0.2, 0.2, 0.5, 3, 0));
            assertThat(loss.perToken(in).sum().getFloat()).isCloseTo(-2.5f, within(1e-5f));
        }
    }

    /** On-policy (ratio 1) every policy-gradient loss has the REINFORCE gradient −A. */
    @Test
    void onPolicyEveryLossIsAdvantageWeightedLogLikelihood() {
        ImportanceCorrection none = new ImportanceCorrection(ImportanceCorrection.Config.none());
        for (Loss loss : new Loss[] {
            new DppoLoss(DppoLoss.Config.defaults()),
            LossConfig.of(PolicyLoss.PPO_CLIP).create(none),
            LossConfig.of(PolicyLoss.GSPO).create(none),
            LossConfig.of(PolicyLoss.CISPO).create(none)
        }) {
            try (NDManager m = NDManager.newBaseManager();
                    GradientCollector c = Engine.getInstance().newGradientCollector()) {
                float[] logp = ln(0.4, 0.7);
                LossInputs in = inputs(m, logp, logp, new float[] {2, 2}, new float[] {1, 1});
                c.backward(loss.perToken(in).sum());
                // GSPO's per-token form carries s_i·A_i per token; the squared-log-ratio term has zero slope.
                assertThat(in.logprobs().getGradient().toFloatArray())
                        .as(loss.name())
                        .containsExactly(new float[] {-2f, -2f}, within(1e-6f));
                assertThat(stats(loss, in).get("clipped_fraction"))
                        .as(loss.name())
                        .isZero();
            }
        }
    }

    /** On-policy, reverse KL is the usual surrogate −reward.detach() × logp, whatever the truncation. */
    @Test
    void reverseKlOnPolicyPushesTowardsTheTeacher() {
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
            NDArray loss = new ReverseKlLoss().perToken(in).sum();
            double expected = -(student[0] * reward[0] + student[1] * reward[1]);
            assertThat(loss.getFloat()).isCloseTo((float) expected, within(1e-5f));
            c.backward(loss);
            float[] grad = in.logprobs().getGradient().toFloatArray();
            assertThat(grad[0]).isCloseTo(-reward[0], within(1e-6f)); // descending the loss raises log p of token 0
            assertThat(grad[1]).isCloseTo(-reward[1], within(1e-6f));
            assertThat(grad[2]).isZero();
        }
    }

    /**
     * A stale batch — tokens sampled from an older policy μ, rewards computed with μ's log-probs —
     * gives the on-policy reverse-KL gradient in expectation: summing the loss's gradient over every
     * token y weighted by μ(y) (the exact expectation under sampling from μ) equals ∇ KL(π ‖ T) of
     * a categorical policy π = softmax(θ). All ratios π/μ stay below the cap C = 2, so truncation
     * adds no bias. The uncorrected loss (today's before issue 16) misses it.
     */
    @Test
    void reverseKlOnAStaleBatchGivesTheOnPolicyGradientInExpectation() {
        float[] theta = {0.3f, -0.2f, 1.1f, 0.0f, -0.7f};
        double[] mu = {0.15, 0.25, 0.3, 0.2, 0.1}; // the stale behaviour policy
        double[] teacher = {0.05, 0.1, 0.6, 0.2, 0.05};
        int v = theta.length;
        float[] onPolicy;
        try (NDManager m = NDManager.newBaseManager();
                GradientCollector c = Engine.getInstance().newGradientCollector()) {
            NDArray th = m.create(theta);
            th.setRequiresGradient(true);
            NDArray logPi = th.logSoftmax(0);
            NDArray kl = logPi.exp().mul(logPi.sub(m.create(ln(teacher)))).sum();
            c.backward(kl);
            onPolicy = th.getGradient().toFloatArray();
        }
        float[] corrected = expectedGradient(theta, mu, teacher, new ReverseKlLoss());
        assertThat(corrected).containsExactly(onPolicy, within(1e-6f));
        // the uncorrected form, −(log T − log μ) · log π, is off by far more than rounding
        float[] uncorrected = expectedGradient(theta, mu, teacher, new Loss() {
            @Override
            public NDArray perToken(LossInputs in) {
                return in.logprobs().mul(in.advantages()).mul(in.mask()).neg();
            }

            @Override
            public String name() {
                return "uncorrected";
            }
        });
        double gap = 0;
        for (int i = 0; i < v; i++) {
            gap = Math.max(gap, Math.abs(uncorrected[i] - onPolicy[i]));
        }
        assertThat(gap).isGreaterThan(0.05);
    }

    /** Σ_y μ(y) ∇θ loss(y): one row per token y, the sampler's reward log T(y) − log μ(y). */
    private static float[] expectedGradient(float[] theta, double[] mu, double[] teacher, Loss loss) {
        int v = theta.length;
        try (NDManager m = NDManager.newBaseManager();
                GradientCollector c = Engine.getInstance().newGradientCollector()) {
            NDArray th = m.create(theta);
            th.setRequiresGradient(true);
            NDArray logPi = th.logSoftmax(0).reshape(v, 1); // row y: log π(y)
            float[] reward = new float[v];
            for (int y = 0; y < v; y++) {
                reward[y] = (float) (Math.log(teacher[y]) - Math.log(mu[y]));
                assertThat(Math.exp(logPi.getFloat(y, 0)) / mu[y]).isLessThan(2.0); // below the cap
            }
            Shape s = new Shape(v, 1);
            LossInputs in = new LossInputs(logPi, m.ones(s), m.create(reward, s), m.create(ln(mu), s), m);
            float[] probability = new float[v];
            for (int y = 0; y < v; y++) {
                probability[y] = (float) mu[y];
            }
            c.backward(loss.perToken(in).mul(m.create(probability, s)).sum());
            return th.getGradient().toFloatArray();
        }
    }

    @Test
    void sftIsTheNegativeLogLikelihoodOfCompletionTokens() {
        try (NDManager m = NDManager.newBaseManager()) {
            LossInputs in = inputs(m, new float[] {-1, -2, -3}, new float[3], new float[3], new float[] {1, 1, 0});
            assertThat(new SftLoss().perToken(in).sum().getFloat()).isEqualTo(3f);
        }
    }

    /**
     * The statistics of the reference batch (src/test/python/loss_reference.py): ratios 1.25, 0.6,
     * 1.5 | 0.8333, 2.0, 0.2 | 1.0; DAPO's clip (0.2 / 0.28) takes the gradient of 1.5 (A > 0) and
     * 0.2 (A < 0); token masking to [0.5, 1.8] takes out 2.0 and 0.2; sequence truncation at 1.1
     * caps the first sequence (ρ = 1.125).
     */
    @Test
    void statisticsCountRatiosClippedMaskedAndTruncatedTokens() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] logp = ln(0.5, 0.3, 0.9, 0.2, 0.6, 0.1, 0.7, 0.5, 0.5);
            float[] mu = ln(0.4, 0.5, 0.6, 0.24, 0.3, 0.5, 0.7, 0.5, 0.5);
            float[] adv = {1, 1, 1, -0.5f, -0.5f, -0.5f, 2, 2, 2};
            float[] mask = {1, 1, 1, 1, 1, 1, 1, 0, 0};
            Shape s = new Shape(3, 3);
            LossInputs batch =
                    new LossInputs(m.create(logp, s), m.create(mask, s), m.create(adv, s), m.create(mu, s), m);
            Map<String, Double> clip = stats(
                    LossConfig.of(PolicyLoss.PPO_CLIP)
                            .create(new ImportanceCorrection(new ImportanceCorrection.Config(
                                    ImportanceCorrection.Truncation.NONE,
                                    2,
                                    ImportanceCorrection.MaskLevel.TOKEN,
                                    0.5,
                                    1.8))),
                    batch);
            // with the mask, 0.2 counts as masked (not clipped): 1.5 is the only clipped token
            assertThat(clip.get("clipped_fraction")).isCloseTo(1.0 / 7, within(1e-6));
            assertThat(clip.get("masked_fraction")).isCloseTo(2.0 / 7, within(1e-6));
            assertThat(clip.get("loss_masked_tokens")).isCloseTo(3.0, within(1e-6));
            assertThat(clip.get("is_ratio_mean"))
                    .isCloseTo((1.25 + 0.6 + 1.5 + 0.2 / 0.24 + 2.0 + 0.2 + 1.0) / 7, within(1e-5));
            assertThat(clip.get("is_ratio_max")).isCloseTo(2.0, within(1e-5));
            Map<String, Double> plain = stats(
                    LossConfig.of(PolicyLoss.PPO_CLIP)
                            .create(new ImportanceCorrection(ImportanceCorrection.Config.none())),
                    batch);
            assertThat(plain.get("clipped_fraction")).isCloseTo(2.0 / 7, within(1e-6));
            Map<String, Double> truncated = stats(
                    new ReverseKlLoss(new ImportanceCorrection(new ImportanceCorrection.Config(
                            ImportanceCorrection.Truncation.SEQUENCE,
                            1.1,
                            ImportanceCorrection.MaskLevel.NONE,
                            0.5,
                            2))),
                    batch);
            assertThat(truncated.get("truncated_fraction")).isCloseTo(3.0 / 7, within(1e-6));
            Map<String, Double> cispo = stats(
                    LossConfig.of(PolicyLoss.CISPO)
                            .create(new ImportanceCorrection(ImportanceCorrection.Config.none())),
                    batch);
            assertThat(cispo.get("clipped_fraction")).isCloseTo(2.0 / 7, within(1e-6)); // 1.5 and 2.0 above 1.28
        }
    }
}
