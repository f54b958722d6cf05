package io.rollstream.learner;

import ai.djl.ndarray.NDArray;

/**
 * A per-token training objective. {@link #perToken} returns the loss of every token; the trainer
 * combines them with the weights of the {@link LossAggregation} over the whole optimizer update,
 * so accumulating micro-batches gives the gradient of one large batch.
 */
public interface Loss {

    /** The loss of each token, shape (rows, width), zero where {@code in.mask()} is 0; requires gradients. */
    NDArray perToken(LossInputs in);

    /** Adds this micro-batch's token statistics (ratios, clipped and masked tokens) to {@code stats}. */
    default void addStats(LossInputs in, LossStats stats) {}

    /** Name used in configs and metrics. */
    String name();
}
