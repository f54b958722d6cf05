package io.rollstream.learner;

import ai.djl.ndarray.NDArray;
import java.io.Serializable;

/**
 * A penalty {@code β · k_t} per token on the divergence of the policy π from a frozen reference
 * policy π_ref (the run's initial policy, version 0), {@code learner.kl_to_reference}. With
 * {@code d_t = logp_t − ref_logp_t} on tokens sampled from the policy (Schulman's estimators of
 * {@code KL(π ‖ π_ref)}):
 *
 * <ul>
 *   <li>{@code k1 = d}: unbiased, but as a loss its gradient {@code ∇logp} has expectation 0 under
 *       on-policy sampling, so it barely regularises (kept for completeness);
 *   <li>{@code k2 = d² / 2}: biased, its gradient {@code d · ∇logp} is the gradient of the KL;
 *   <li>{@code k3 = exp(−d) − 1 + d}: unbiased and never negative (GRPO's choice).
 * </ul>
 *
 * {@code metrics.jsonl} reports {@code kl_to_reference}, the mean k3 estimate whatever the loss uses.
 */
public final class ReferenceKl {

    /** Which estimator the penalty uses. */
    public enum Estimator {
        K1,
        K2,
        K3
    }

    /**
     * The {@code learner.kl_to_reference} map.
     *
     * @param coefficient β, at least 0; 0 (the default) turns the penalty and the reference model off
     * @param estimator {@code k1}, {@code k2} or {@code k3}; default {@code k3}
     */
    public record Config(double coefficient, Estimator estimator) implements Serializable {

        public static Config off() {
            return new Config(0, Estimator.K3);
        }

        public Config {
            estimator = estimator == null ? Estimator.K3 : estimator;
            if (!(coefficient >= 0) || Double.isInfinite(coefficient)) {
                throw new IllegalArgumentException("learner.kl_to_reference.coefficient must be a finite number >= 0"
                        + " (0 turns it off), got " + coefficient);
            }
        }

        /** Whether the penalty (and so the frozen reference model) is on. */
        public boolean enabled() {
            return coefficient > 0;
        }
    }

    private final Config config;

    public ReferenceKl(Config config) {
        this.config = config;
    }

    /** {@code β · k_t} on the masked tokens, differentiable through {@code in.logprobs()}. */
    public NDArray perToken(LossInputs in) {
        NDArray d = in.logprobs().sub(in.referenceLogprobs());
        NDArray k;
        switch (config.estimator()) {
            case K1:
                k = d;
                break;
            case K2:
                k = d.square().mul(in.constant(0.5));
                break;
            default:
                k = d.neg().exp().sub(1f).add(d);
                break;
        }
        return k.mul(in.mask()).mul(in.constant(config.coefficient()));
    }

    /** Adds the summed k3 estimate over the masked tokens. */
    public void addStats(LossInputs in, LossStats stats) {
        NDArray d = in.logprobs().stopGradient().sub(in.referenceLogprobs());
        stats.addReferenceKl(d.neg().exp().sub(1f).add(d).mul(in.mask()).sum().getFloat());
    }
}
