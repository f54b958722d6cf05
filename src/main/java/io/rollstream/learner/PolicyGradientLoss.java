package io.rollstream.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token-level policy gradient with an importance ratio against the behaviour policy (which may lag
 * the learner by up to the async level):
 *
 * <pre>
 *   ratio_t = exp(logp_t − behaviour_logp_t)
 *   loss    = Σ_t [ −keep_t · A_t · ratio_t + kl_tau · mask_t · (logp_t − behaviour_logp_t)² ]
 * </pre>
 *
 * summed over completion tokens (the trainer divides by the step's token count). {@code keep}
 * drops tokens whose ratio says the two policies disagree too much, as the config selects:
 * <ul>
 *   <li>{@code dppo} (prime-rl's default): with {@code d = p − p_behaviour}, mask a token when
 *       {@code A > 0 and d > dppo_mask_high} or {@code A ≤ 0 and d < −dppo_mask_low};
 *   <li>{@code token_ratio}: mask a token whose ratio is outside [ratio_low, ratio_high];
 *   <li>{@code none}: keep every completion token.
 * </ul>
 * There is no ratio clipping and no reference-model KL; on-policy the ratio is 1 and this is plain
 * REINFORCE with a group baseline.
 */
public final class PolicyGradientLoss implements Loss {

    /** How tokens with a large train/behaviour mismatch are masked. */
    public enum Masking { DPPO, TOKEN_RATIO, NONE }

    /** Knobs of the loss, with prime-rl's defaults. */
    public record Config(Masking masking, double dppoMaskLow, double dppoMaskHigh, double ratioLow,
            double ratioHigh, double klTau) implements java.io.Serializable {

        public static Config defaults() {
            return new Config(Masking.DPPO, 0.2, 0.2, 0.125, 8.0, 1e-3);
        }

        public Config {
            if (masking == null) {
                masking = Masking.DPPO;
            }
            requireNonNegative("learner.loss.dppo_mask_low", dppoMaskLow);
            requireNonNegative("learner.loss.dppo_mask_high", dppoMaskHigh);
            requireNonNegative("learner.loss.kl_tau", klTau);
            if (!(ratioLow > 0 && ratioLow < 1 && ratioHigh > 1)) {
                throw new IllegalArgumentException("learner.loss.ratio_low must be in (0, 1) and ratio_high > 1, got "
                        + ratioLow + " and " + ratioHigh);
            }
        }

        private static void requireNonNegative(String key, double value) {
            if (!(value >= 0)) {
                throw new IllegalArgumentException(key + " must be >= 0, got " + value);
            }
        }
    }

    private final Config config;

    public PolicyGradientLoss(Config config) {
        this.config = config;
    }

    @Override
    public NDArray sum(LossInputs in) {
        NDArray logRatio = in.logprobs().sub(in.behaviourLogprobs());
        NDArray keep = in.mask().mul(kept(in));
        NDArray policyTerm = logRatio.exp().mul(in.advantages()).mul(keep).sum().neg();
        if (config.klTau() == 0) {
            return policyTerm;
        }
        NDArray klTerm = logRatio.square().mul(in.mask()).sum().mul(in.constant(config.klTau()));
        return policyTerm.add(klTerm);
    }

    /** 1 where a token is kept, 0 where masked (no gradient flows through the choice). */
    private NDArray kept(LossInputs in) {
        NDArray logp = in.logprobs().stopGradient();
        switch (config.masking()) {
            case DPPO: {
                NDArray diff = logp.exp().sub(in.behaviourLogprobs().exp());
                NDArray masked = NDArrays.where(in.advantages().gt(0f),
                        diff.gt((float) config.dppoMaskHigh()), diff.lt((float) -config.dppoMaskLow()));
                return masked.logicalNot().toType(DataType.FLOAT32, false);
            }
            case TOKEN_RATIO: {
                NDArray ratio = logp.sub(in.behaviourLogprobs()).exp();
                NDArray inside = ratio.gte((float) config.ratioLow()).logicalAnd(ratio.lte((float) config.ratioHigh()));
                return inside.toType(DataType.FLOAT32, false);
            }
            default:
                return in.mask().onesLike();
        }
    }

    @Override
    public Map<String, Double> diagnostics(LossInputs in) {
        NDArray logRatio = in.logprobs().stopGradient().sub(in.behaviourLogprobs());
        NDArray maskedTokens = in.mask().mul(kept(in).neg().add(1f));
        NDArray mismatchKl = logRatio.exp().sub(logRatio).sub(1f).mul(in.mask());
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("masked_tokens", (double) maskedTokens.sum().getFloat());
        out.put("mismatch_kl_sum", (double) mismatchKl.sum().getFloat());
        return out;
    }

    @Override
    public String name() {
        return "policy_gradient";
    }
}
