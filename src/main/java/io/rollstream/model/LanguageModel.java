package io.rollstream.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rollstream.device.Precision;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A causal language model on DJL NDArrays, as the sampling engine, the learner, the teacher and
 * evaluation use it. Two kinds implement it: {@link GptModel} (Rollstream's own GPT) and {@link
 * DecoderModel} (the Llama family: Llama, Mistral, Qwen2, Qwen3, and the built-in {@code llama}
 * architecture). {@link Models} builds either from a {@link ModelSpec} and weights.
 *
 * <p>A model owns its parameters in its own {@link NDManager}; every forward allocates its
 * intermediates in the caller's scope or manager. Invariant: no forward uses a scalar {@code
 * mul/div(Number)} on anything that may need gradients (DJL frees that scalar before backward reads
 * it); constants are arrays the model owns.
 */
public interface LanguageModel extends AutoCloseable {

    /** What rebuilds this model from its {@link #weights()}. */
    ModelSpec spec();

    Device device();

    /** The parameters' number format: float32, or float16 for a frozen copy on a GPU. */
    Precision precision();

    /** A manager on the model's device for the caller's inputs and intermediates. */
    NDManager newSubManager();

    /** Parameters by name, in {@link ModelSpec#parameterShapes()} order. The arrays are live: do not close them. */
    Map<String, NDArray> parameters();

    /**
     * The general forward pass: {@link #head} of {@link #hidden}.
     *
     * @param ids INT64 (B, T): the new tokens (all tokens without a cache)
     * @param positions INT64 (B, T) or (1, T): position of each new token
     * @param bias additive attention bias broadcastable to (B, 1, T, Tkeys): 0 or {@link GptModel#MASKED}
     * @param cache keys and values of earlier tokens, extended in place; null for none
     * @param lastOnly project only the last position to logits (generation)
     * @return logits (B, T, V), or (B, V) when {@code lastOnly}; FLOAT32 whatever the model's {@link #precision}
     */
    default NDArray forward(NDArray ids, NDArray positions, NDArray bias, KvCache cache, boolean lastOnly) {
        return head(hidden(ids, positions, bias, cache, lastOnly));
    }

    /**
     * The forward pass up to the output head (the final norm included), with {@link #forward}'s
     * arguments: hidden states (B, T, hidden), or (B, hidden) when {@code lastOnly}, in the model's
     * precision. The learner runs the body once per micro-batch and the head a few rows at a time
     * (a vocabulary-wide array per token is the largest thing training makes).
     */
    NDArray hidden(NDArray ids, NDArray positions, NDArray bias, KvCache cache, boolean lastOnly);

    /** The output head: logits (..., V) of hidden states (..., hidden), FLOAT32: hidden · {@link #outputMatrix}ᵀ. */
    NDArray head(NDArray hidden);

    /**
     * The output head's matrix W, (V, hidden): {@link #head} is exactly hidden · Wᵀ (no bias), which
     * the learner's backward of the head relies on. Live (the token embedding when tied): do not
     * close it.
     */
    NDArray outputMatrix();

    /**
     * Logits for every position of full sequences starting at position 0, with a causal mask
     * (right padding is harmless: no real position attends to a later pad).
     *
     * @param ids token ids, INT64 (B, T)
     * @return logits (B, T, V)
     */
    default NDArray logits(NDArray ids) {
        return head(hiddenStates(ids));
    }

    /** {@link #hidden} of full sequences as {@link #logits} reads them: (B, T, hidden). */
    default NDArray hiddenStates(NDArray ids) {
        int t = Math.toIntExact(ids.getShape().get(1));
        NDManager m = ids.getManager();
        NDArray positions = m.arange(0, t, 1, DataType.INT64).expandDims(0);
        NDArray bias = m.create(AttentionBias.causal(t), new Shape(t, t));
        return hidden(ids, positions, bias, null, false);
    }

    /** An empty KV cache for up to {@code capacity} positions. */
    default KvCache newKvCache(int capacity) {
        return new KvCache(spec().layers(), capacity);
    }

    /** Marks every parameter as needing (or not) a gradient. */
    default void setTrainable(boolean trainable) {
        for (NDArray p : parameters().values()) {
            p.setRequiresGradient(trainable);
        }
    }

    /** A copy of the weights as float32 Java arrays (for checkpoints and for publishing a policy). */
    default Map<String, float[]> weights() {
        Map<String, float[]> out = new LinkedHashMap<>();
        parameters().forEach((name, p) -> {
            NDArray wide = p.toType(DataType.FLOAT32, false);
            out.put(name, wide.toFloatArray());
            if (wide != p) {
                wide.close();
            }
        });
        return out;
    }

    /** Frees the parameters. */
    @Override
    void close();
}
