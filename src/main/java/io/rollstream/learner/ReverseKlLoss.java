package io.rollstream.learner;

import ai.djl.ndarray.NDArray;

/**
 * On-policy distillation by reverse KL: the per-token reward is
 * {@code teacher_logprob − student_logprob} (the negative reverse KL, discount 0), computed when the
 * rollout was scored and carried in {@link TrainingExample#advantages}; the loss is
 * {@code −reward.detach() × student_logprob} over completion tokens, as in the seed document.
 */
public final class ReverseKlLoss implements Loss {

    @Override
    public NDArray sum(LossInputs in) {
        return in.logprobs().mul(in.advantages()).mul(in.mask()).sum().neg();
    }

    @Override
    public String name() {
        return "reverse_kl";
    }
}
