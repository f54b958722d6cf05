package io.rollstream.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.io.Serializable;

/**
 * Correction for the mismatch between the policy that sampled a token (the behaviour policy μ,
 * possibly some versions stale and numerically different from the learner) and the learner's
 * policy π ({@code learner.importance_correction}). With the token ratio {@code r_t = π/μ}, the
 * sequence ratio {@code ρ_i = Π_t r_t} and its geometric mean {@code g_i = ρ_i^(1/|o_i|)}:
 *
 * <ul>
 *   <li><b>truncation</b> (truncated importance sampling) bounds the importance weight a token's
 *       gradient carries: {@code token}: {@code min(r_t, C)}; {@code sequence}: every token of a
 *       sequence carries {@code min(ρ_i, C)}; {@code none}: {@code r_t} as it is.
 *   <li><b>masking</b> (rejection) takes tokens out of the loss: {@code token}: those with
 *       {@code r_t} outside {@code [low, high]}; {@code sequence}: whole sequences with
 *       {@code ρ_i} outside; {@code geometric}: whole sequences with {@code g_i} outside.
 * </ul>
 *
 * Everything here is detached: it weighs or selects gradients, it never carries one. Sequence
 * ratios are compared and capped in log space, so a long sequence cannot overflow.
 */
public final class ImportanceCorrection {

    /** Which importance weight a token's gradient carries. */
    public enum Truncation {
        NONE,
        TOKEN,
        SEQUENCE
    }

    /** Which ratio decides that tokens leave the loss. */
    public enum MaskLevel {
        NONE,
        TOKEN,
        SEQUENCE,
        GEOMETRIC
    }

    /**
     * The {@code learner.importance_correction} map.
     *
     * @param truncate {@code none}, {@code token} or {@code sequence}
     * @param cap C, the largest importance weight, at least 1
     * @param mask {@code none}, {@code token}, {@code sequence} or {@code geometric}
     * @param maskLow a ratio below this is masked, in (0, 1]
     * @param maskHigh a ratio above this is masked, at least 1
     */
    public record Config(Truncation truncate, double cap, MaskLevel mask, double maskLow, double maskHigh)
            implements Serializable {

        /** No truncation, no masking. */
        public static Config none() {
            return new Config(Truncation.NONE, 2.0, MaskLevel.NONE, 0.5, 2.0);
        }

        /** Token-level truncation at {@code cap}, no masking. */
        public static Config truncated(double cap) {
            return new Config(Truncation.TOKEN, cap, MaskLevel.NONE, 0.5, 2.0);
        }

        public Config {
            truncate = truncate == null ? Truncation.NONE : truncate;
            mask = mask == null ? MaskLevel.NONE : mask;
            if (!(cap >= 1) || Double.isInfinite(cap)) {
                throw new IllegalArgumentException("learner.importance_correction.cap must be a finite number >= 1"
                        + " (a cap below 1 would shrink on-policy tokens too): try 2.0, got " + cap);
            }
            if (!(maskLow > 0 && maskLow <= 1)) {
                throw new IllegalArgumentException(
                        "learner.importance_correction.mask_low must be in (0, 1]: try 0.5, got " + maskLow);
            }
            if (!(maskHigh >= 1) || Double.isInfinite(maskHigh)) {
                throw new IllegalArgumentException("learner.importance_correction.mask_high must be a finite number"
                        + " >= 1: try 2.0, got " + maskHigh);
            }
        }
    }

    private final Config config;

    public ImportanceCorrection(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    /** 1 where a token stays in the loss, 0 where the masking takes it out (and outside the mask). */
    public NDArray keep(LossInputs in) {
        if (config.mask() == MaskLevel.NONE) {
            return in.mask();
        }
        NDArray logRatio = in.detachedLogRatio().mul(in.mask());
        NDArray level;
        switch (config.mask()) {
            case TOKEN:
                level = logRatio;
                break;
            case SEQUENCE:
                level = in.rowSum(logRatio).broadcast(logRatio.getShape());
                break;
            default:
                level = in.rowSum(logRatio).div(in.rowTokens()).broadcast(logRatio.getShape());
                break;
        }
        NDArray inside = level.gte((float) Math.log(config.maskLow()))
                .logicalAnd(level.lte((float) Math.log(config.maskHigh())));
        return inside.toType(DataType.FLOAT32, false).mul(in.mask());
    }

    /** The importance weight each token's gradient carries (detached), per {@link Truncation}. */
    public NDArray weight(LossInputs in) {
        NDArray logRatio = in.detachedLogRatio().mul(in.mask());
        float logCap = (float) Math.log(config.cap());
        switch (config.truncate()) {
            case TOKEN:
                return logRatio.minimum(logCap).exp();
            case SEQUENCE:
                return in.rowSum(logRatio).minimum(logCap).exp().broadcast(logRatio.getShape());
            default:
                return logRatio.exp();
        }
    }

    /**
     * The factor that turns a loss whose gradient carries the token ratio {@code r_t} into one
     * carrying {@link #weight}: {@code weight / r_t}, detached (exactly 1 without truncation).
     */
    public NDArray factor(LossInputs in) {
        if (config.truncate() == Truncation.NONE) {
            return in.mask().onesLike();
        }
        return weight(in).div(in.detachedLogRatio().mul(in.mask()).exp());
    }

    /** Counts the tokens this correction masked and truncated (among {@code in}'s masked tokens). */
    public void addStats(LossInputs in, LossStats stats) {
        if (config.mask() != MaskLevel.NONE) {
            stats.addMasked(in.mask().sub(keep(in)));
        }
        if (config.truncate() != Truncation.NONE) {
            NDArray logRatio = in.detachedLogRatio().mul(in.mask());
            NDArray level = config.truncate() == Truncation.TOKEN
                    ? logRatio
                    : in.rowSum(logRatio).broadcast(logRatio.getShape());
            stats.addTruncated(level.gt((float) Math.log(config.cap()))
                    .toType(DataType.FLOAT32, false)
                    .mul(in.mask()));
        }
    }
}
