package io.rollstream.learner;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/**
 * A per-token training objective. {@link #sum} returns the loss summed over completion tokens; the
 * trainer divides by the token count of the whole optimizer step, so accumulating micro-batches
 * gives the gradient of one large batch.
 */
public interface Loss {

    /** Summed (not averaged) loss over the masked tokens; a scalar that requires gradients. */
    NDArray sum(LossInputs in);

    /** Token-summed diagnostics of the last {@link #sum} call (e.g. masked tokens); may be empty. */
    default Map<String, Double> diagnostics(LossInputs in) {
        return Map.of();
    }

    /** Name used in configs and metrics. */
    String name();
}
