package io.rollstream.learner;

import ai.djl.ndarray.NDArray;

/** Supervised fine-tuning: negative log-likelihood of the completion tokens. */
public final class SftLoss implements Loss {

    @Override
    public NDArray perToken(LossInputs in) {
        return in.logprobs().mul(in.mask()).neg();
    }

    @Override
    public String name() {
        return "sft";
    }
}
