package io.rollstream.checkpoint;

import ai.djl.ndarray.types.Shape;

import io.rollstream.learner.AdamW;
import io.rollstream.model.ModelSpec;
import io.rollstream.model.TensorSource;
import io.rollstream.tokenizer.TokenizerSpec;

import java.util.Map;

/**
 * Everything needed to continue training or to sample from a policy. Its tensors are a {@link
 * TensorSource}: Java arrays, a model's live parameters (a snapshot to write at once), or a
 * checkpoint file read tensor by tensor — so writing or loading a checkpoint never holds all the
 * weights in the Java heap.
 *
 * @param step learner step (= policy version) that produced the weights
 * @param model what rebuilds the model: architecture and hyper-parameters
 * @param tokenizer the tokenizer the model was trained with
 * @param weights parameters by name, as {@link #tensorShapes()} lists them
 * @param optimizer optimizer state; null for a weights-only checkpoint (e.g. a published policy)
 * @param metadata free-form strings (run id, task, RNG state, ...)
 */
public record Checkpoint(long step, ModelSpec model, TokenizerSpec tokenizer, TensorSource weights,
        AdamW.State optimizer, Map<String, String> metadata) {

    public Checkpoint {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** A checkpoint of weights held in Java arrays. */
    public Checkpoint(long step, ModelSpec model, TokenizerSpec tokenizer, Map<String, float[]> weights,
            AdamW.State optimizer, Map<String, String> metadata) {
        this(step, model, tokenizer, TensorSource.of(weights), optimizer, metadata);
    }

    /** Every stored tensor's name and shape, in storage order. */
    public Map<String, Shape> tensorShapes() {
        return model.parameterShapes();
    }

    /** The same checkpoint without optimizer state. */
    public Checkpoint weightsOnly() {
        return new Checkpoint(step, model, tokenizer, weights, null, metadata);
    }
}
