package io.rollstream.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What both kinds of {@link LanguageModel} share: named FLOAT32 parameters owned by the model's own
 * {@link NDManager} (closed with the model), and the embedding and linear primitives.
 */
abstract class ParameterizedModel implements LanguageModel {

    /** A model's parameter arrays and the manager that owns them. */
    record Parameters(NDManager manager, Map<String, NDArray> arrays) {}

    private final NDManager manager;
    private final Map<String, NDArray> parameters;

    ParameterizedModel(Parameters parameters) {
        this.manager = parameters.manager();
        this.parameters = parameters.arrays();
    }

    /**
     * Reads every parameter of {@code shapes} from {@code source} into a new manager on {@code device};
     * closes that manager again if any is missing or misshapen.
     */
    static Parameters load(Map<String, Shape> shapes, TensorSource source, Device device) {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            for (Map.Entry<String, Shape> e : shapes.entrySet()) {
                NDArray p = source.read(e.getKey(), e.getValue(), manager);
                if (!p.getShape().equals(e.getValue()) || p.getDataType() != DataType.FLOAT32) {
                    throw new IllegalArgumentException("parameter " + e.getKey() + " is " + p.getDataType() + " "
                            + p.getShape() + ", expected FLOAT32 " + e.getValue());
                }
                arrays.put(e.getKey(), p);
            }
            return new Parameters(manager, arrays);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Refuses weights whose names are not exactly the model's. */
    static void requireNames(Map<String, Shape> shapes, Map<String, float[]> weights) {
        if (!shapes.keySet().equals(weights.keySet())) {
            throw new IllegalArgumentException("weights do not match the model config: expected " + shapes.keySet()
                    + ", got " + weights.keySet());
        }
    }

    @Override
    public Device device() {
        return manager.getDevice();
    }

    @Override
    public NDManager newSubManager() {
        return manager.newSubManager();
    }

    @Override
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** The model-owned manager, for constants the model creates once. */
    NDManager manager() {
        return manager;
    }

    NDArray p(String name) {
        return parameters.get(name);
    }

    static NDArray embed(NDArray ids, NDArray table) {
        return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /** x Wᵀ (+ bias, when not null). */
    static NDArray linear(NDArray x, NDArray w, NDArray bias) {
        return x.getNDArrayInternal().linear(x, w, bias).singletonOrThrow();
    }

    @Override
    public void close() {
        manager.close();
    }
}
