package io.rollstream.learner;

import ai.djl.ndarray.NDArray;

/** Supervised fine-tuning: negative log-likelihood of the completion tokens. */
public final class SftLoss implements Loss {

    @Override
    public NDArray sum(LossInputs in) {
        return in.logprobs().mul(in.mask()).sum().neg();
    }

    @Override
    public String name() {
        return "sft";
    }
}
