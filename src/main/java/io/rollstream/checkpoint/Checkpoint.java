package io.rollstream.checkpoint;

import io.rollstream.model.ModelSpec;
import io.rollstream.tokenizer.TokenizerSpec;

import java.util.Map;

/**
 * Everything needed to continue training or to sample from a policy.
 *
 * @param step learner step (= policy version) that produced the weights
 * @param model what rebuilds the model: architecture and hyper-parameters
 * @param tokenizer the tokenizer the model was trained with
 * @param weights parameters by name, in {@link ModelSpec#parameterShapes()} order
 * @param optimizer optimizer state; null for a weights-only checkpoint (e.g. a published policy)
 * @param metadata free-form strings (run id, task, RNG state, ...)
 */
public record Checkpoint(long step, ModelSpec model, TokenizerSpec tokenizer, Map<String, float[]> weights,
        OptimizerState optimizer, Map<String, String> metadata) {

    public Checkpoint {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** The same checkpoint without optimizer state. */
    public Checkpoint weightsOnly() {
        return new Checkpoint(step, model, tokenizer, weights, null, metadata);
    }
}
