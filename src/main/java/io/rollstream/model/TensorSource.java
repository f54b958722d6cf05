package io.rollstream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Named float tensors offered one at a time: Java arrays, a model's live parameters, a Rollstream
 * checkpoint file or a Hugging Face safetensors directory read tensor by tensor. Models load from a
 * source and checkpoints are written from one, so neither ever needs all the weights in the Java
 * heap at once.
 */
public interface TensorSource {

    /** Names of the tensors on offer. */
    Set<String> names();

    /**
     * Tensor {@code name} as a FLOAT32 array of {@code shape}, created in {@code manager} with memory
     * of its own (never a view of a Java or mapped buffer).
     *
     * @throws IllegalArgumentException when the tensor is missing or has another shape
     * @throws java.io.UncheckedIOException when a file-backed tensor cannot be read
     */
    NDArray read(String name, Shape shape, NDManager manager);

    /**
     * Tensor {@code name}'s values in row-major order. The array may be the source's own (Java
     * arrays): callers must not modify it.
     *
     * @throws IllegalArgumentException when the tensor is missing
     * @throws java.io.UncheckedIOException when a file-backed tensor cannot be read
     */
    float[] floats(String name);

    /** Every tensor copied into Java arrays, in {@link #names()} order (for small models: it is all on the heap). */
    default Map<String, float[]> toMap() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String name : names()) {
            out.put(name, floats(name).clone());
        }
        return out;
    }

    /** Float arrays by name, e.g. weights built in Java. */
    static TensorSource of(Map<String, float[]> weights) {
        return new TensorSource() {
            @Override
            public Set<String> names() {
                return Collections.unmodifiableSet(weights.keySet());
            }

            @Override
            public NDArray read(String name, Shape shape, NDManager manager) {
                return owned(name, floats(name), shape, manager);
            }

            @Override
            public float[] floats(String name) {
                float[] values = weights.get(name);
                if (values == null) {
                    throw new IllegalArgumentException("parameter " + name + " is missing");
                }
                return values;
            }
        };
    }

    /**
     * A live view of NDArrays (a model's parameters, an optimizer's moments): every read copies the
     * array as it is at that moment. Whoever writes a checkpoint from such a view writes it before
     * the arrays change again.
     */
    static TensorSource ofArrays(Map<String, NDArray> arrays) {
        return new TensorSource() {
            @Override
            public Set<String> names() {
                return Collections.unmodifiableSet(arrays.keySet());
            }

            @Override
            public NDArray read(String name, Shape shape, NDManager manager) {
                NDArray array = array(name);
                if (!array.getShape().equals(shape)) {
                    throw new IllegalArgumentException(
                            "parameter " + name + " has shape " + array.getShape() + ", expected " + shape);
                }
                return owned(name, array.toFloatArray(), shape, manager);
            }

            @Override
            public float[] floats(String name) {
                return array(name).toFloatArray();
            }

            private NDArray array(String name) {
                NDArray array = arrays.get(name);
                if (array == null) {
                    throw new IllegalArgumentException("parameter " + name + " is missing");
                }
                return array;
            }
        };
    }

    /** {@code values} as an array of {@code shape} in {@code manager}, with memory of its own (not a view of Java's). */
    private static NDArray owned(String name, float[] values, Shape shape, NDManager manager) {
        if (values.length != shape.size()) {
            throw new IllegalArgumentException("parameter " + name + " has " + values.length + " values, expected "
                    + shape.size() + " for shape " + shape);
        }
        try (NDArray created = manager.create(values, shape)) {
            return created.duplicate();
        }
    }
}
