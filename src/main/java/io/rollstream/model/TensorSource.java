package io.rollstream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Map;
import java.util.Set;

/**
 * Where a model's parameters come from, one tensor at a time: Java arrays (a Rollstream checkpoint)
 * or a Hugging Face safetensors directory read tensor by tensor, so a model never needs all its
 * weights in the Java heap at once.
 */
public interface TensorSource {

    /** Names of the tensors on offer. */
    Set<String> names();

    /**
     * Tensor {@code name} as a FLOAT32 array of {@code shape}, created in {@code manager} with memory
     * of its own (never a view of a Java or mapped buffer).
     *
     * @throws IllegalArgumentException when the tensor is missing or has another shape
     */
    NDArray read(String name, Shape shape, NDManager manager);

    /** Float arrays by name, e.g. the weights of a checkpoint. */
    static TensorSource of(Map<String, float[]> weights) {
        return new TensorSource() {
            @Override
            public Set<String> names() {
                return weights.keySet();
            }

            @Override
            public NDArray read(String name, Shape shape, NDManager manager) {
                float[] values = weights.get(name);
                if (values == null) {
                    throw new IllegalArgumentException("parameter " + name + " is missing");
                }
                if (values.length != shape.size()) {
                    throw new IllegalArgumentException("parameter " + name + " has " + values.length
                            + " values, expected " + shape.size() + " for shape " + shape);
                }
                // duplicate() gives the tensor memory of its own, not a view of a Java buffer.
                try (NDArray created = manager.create(values, shape)) {
                    return created.duplicate();
                }
            }
        };
    }
}
