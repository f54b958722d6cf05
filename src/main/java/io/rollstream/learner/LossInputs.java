package io.rollstream.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * What a loss sees for one micro-batch, all shaped (rows, width) over target positions.
 *
 * @param logprobs differentiable log p(target) under the current policy
 * @param mask 1 on completion tokens, 0 elsewhere
 * @param advantages per-token advantages (or rewards); zeros when the examples carry none
 * @param behaviourLogprobs sampler log-probs; equal to the detached current ones when absent
 * @param manager where the loss may create constants; they stay alive until backward returns
 */
public record LossInputs(NDArray logprobs, NDArray mask, NDArray advantages, NDArray behaviourLogprobs,
        NDManager manager) {

    /** A scalar constant that autograd may keep (never use mul/div(Number) under autograd). */
    public NDArray constant(double value) {
        return manager.create((float) value);
    }
}
