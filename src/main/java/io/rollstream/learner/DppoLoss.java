package io.rollstream.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import java.io.Serializable;

/**
 * {@code learner.loss: dppo} (the default; prime-rl's): token-level policy gradient with an
 * importance ratio against the behaviour policy (which may lag the learner by up to the async level):
 *
 * <pre>
 *   ratio_t = exp(logp_t − behaviour_logp_t)
 *   loss_t  = −keep_t · A_t · ratio_t · f_t + kl_tau · mask_t · (logp_t − behaviour_logp_t)²
 * </pre>
 *
 * {@code f_t} is the importance correction's truncation factor (1 without truncation, see {@link
 * ImportanceCorrection#factor}); {@code keep} drops tokens whose ratio says the two policies
 * disagree too much, as {@code learner.loss.masking} selects, and the correction's own mask:
 * <ul>
 *   <li>{@code dppo} (prime-rl's default): with {@code d = p − p_behaviour}, mask a token when
 *       {@code A > 0 and d > dppo_mask_high} or {@code A ≤ 0 and d < −dppo_mask_low};
 *   <li>{@code token_ratio}: mask a token whose ratio is outside [ratio_low, ratio_high];
 *   <li>{@code none}: keep every completion token.
 * </ul>
 * There is no ratio clipping; on-policy the ratio is 1 and this is plain REINFORCE with a group
 * baseline.
 */
public final class DppoLoss implements Loss {

    /** How tokens with a large train/behaviour mismatch are masked. */
    public enum Masking {
        DPPO,
        TOKEN_RATIO,
        NONE
    }

    /** Knobs of the loss, with prime-rl's defaults. */
    public record Config(
            Masking masking, double dppoMaskLow, double dppoMaskHigh, double ratioLow, double ratioHigh, double klTau)
            implements Serializable {

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
    private final ImportanceCorrection correction;

    public DppoLoss(Config config) {
        this(config, new ImportanceCorrection(ImportanceCorrection.Config.none()));
    }

    public DppoLoss(Config config, ImportanceCorrection correction) {
        this.config = config;
        this.correction = correction;
    }

    @Override
    public NDArray perToken(LossInputs in) {
        NDArray logRatio = in.logprobs().sub(in.behaviourLogprobs());
        NDArray keep = correction.keep(in).mul(kept(in));
        NDArray policyTerm = logRatio.exp()
                .mul(in.advantages())
                .mul(correction.factor(in))
                .mul(keep)
                .neg();
        if (config.klTau() == 0) {
            return policyTerm;
        }
        NDArray klTerm = logRatio.square().mul(in.mask()).mul(in.constant(config.klTau()));
        return policyTerm.add(klTerm);
    }

    /** 1 where the dppo masking keeps a token, 0 where it masks it (no gradient flows through the choice). */
    private NDArray kept(LossInputs in) {
        NDArray logp = in.logprobs().stopGradient();
        switch (config.masking()) {
            case DPPO: {
                NDArray diff = logp.exp().sub(in.behaviourLogprobs().exp());
                NDArray masked =
                        NDArrays.where(in.advantages().gt(0f), diff.gt((float) config.dppoMaskHigh()), diff.lt((float)
                                -config.dppoMaskLow()));
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
    public void addStats(LossInputs in, LossStats stats) {
        stats.addRatios(in);
        stats.addClipped(correction.keep(in).mul(kept(in).neg().add(1f)));
        correction.addStats(in, stats);
    }

    @Override
    public String name() {
        return "dppo";
    }
}
