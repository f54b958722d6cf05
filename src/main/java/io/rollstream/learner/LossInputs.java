package io.rollstream.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * What a loss sees for one micro-batch, all shaped (rows, width) over target positions; a row is
 * one sequence (one example).
 *
 * @param logprobs differentiable log p(target) under the current policy
 * @param mask 1 on the completion tokens that are in the loss, 0 elsewhere
 * @param advantages per-token advantages (or rewards); zeros when the examples carry none
 * @param behaviourLogprobs sampler log-probs; equal to the detached current ones when absent
 * @param referenceLogprobs log-probs under the frozen reference policy, or null when no loss term
 *     needs them
 * @param manager where the loss may create constants; they stay alive until backward returns
 */
public record LossInputs(
        NDArray logprobs,
        NDArray mask,
        NDArray advantages,
        NDArray behaviourLogprobs,
        NDArray referenceLogprobs,
        NDManager manager) {

    /** Without reference log-probs. */
    public LossInputs(
            NDArray logprobs, NDArray mask, NDArray advantages, NDArray behaviourLogprobs, NDManager manager) {
        this(logprobs, mask, advantages, behaviourLogprobs, null, manager);
    }

    /** A scalar constant that autograd may keep (never use mul/div(Number) under autograd). */
    public NDArray constant(double value) {
        return manager.create((float) value);
    }

    /** {@code log(π/μ)} per token, detached from the graph (zero outside the mask is not guaranteed). */
    public NDArray detachedLogRatio() {
        return logprobs.stopGradient().sub(behaviourLogprobs);
    }

    /** Per-row sum over the masked tokens of {@code values}, shape (rows, 1). */
    public NDArray rowSum(NDArray values) {
        return values.mul(mask).sum(new int[] {1}, true);
    }

    /** Masked tokens per row, at least 1 (so an empty row divides safely), shape (rows, 1). */
    public NDArray rowTokens() {
        return mask.sum(new int[] {1}, true).maximum(1f);
    }
}
