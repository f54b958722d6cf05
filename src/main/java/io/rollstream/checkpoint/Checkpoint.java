package io.rollstream.checkpoint;

import ai.djl.ndarray.types.Shape;
import io.rollstream.model.LoraLayout;
import io.rollstream.model.ModelSpec;
import io.rollstream.model.Models;
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
 * @param adapter null for a full model; for LoRA, what {@code weights} (the adapters alone) adapt
 */
public record Checkpoint(
        long step,
        ModelSpec model,
        TokenizerSpec tokenizer,
        TensorSource weights,
        OptimizerState optimizer,
        Map<String, String> metadata,
        Adapter adapter) {

    public Checkpoint {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** A checkpoint of a full model. */
    public Checkpoint(
            long step,
            ModelSpec model,
            TokenizerSpec tokenizer,
            TensorSource weights,
            OptimizerState optimizer,
            Map<String, String> metadata) {
        this(step, model, tokenizer, weights, optimizer, metadata, null);
    }

    /** A checkpoint of a full model's weights held in Java arrays. */
    public Checkpoint(
            long step,
            ModelSpec model,
            TokenizerSpec tokenizer,
            Map<String, float[]> weights,
            OptimizerState optimizer,
            Map<String, String> metadata) {
        this(step, model, tokenizer, TensorSource.of(weights), optimizer, metadata, null);
    }

    /** Every stored tensor's name and shape, in storage order: the model's parameters, or its adapters. */
    public Map<String, Shape> tensorShapes() {
        return tensorShapes(model, adapter);
    }

    /** The tensors a checkpoint of {@code model} (with {@code adapter}, or null) stores. */
    public static Map<String, Shape> tensorShapes(ModelSpec model, Adapter adapter) {
        if (adapter == null) {
            return model.parameterShapes();
        }
        return LoraLayout.shapes(Models.decoder(model), adapter.lora());
    }

    /** The same checkpoint without optimizer state. */
    public Checkpoint weightsOnly() {
        return new Checkpoint(step, model, tokenizer, weights, null, metadata, adapter);
    }
}
