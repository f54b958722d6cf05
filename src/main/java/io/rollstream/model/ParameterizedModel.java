package io.rollstream.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import io.rollstream.device.Placement;
import io.rollstream.device.Precision;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What both kinds of {@link LanguageModel} share: named parameters owned by the model's own {@link
 * NDManager} (closed with the model), in the model's {@link Precision}, and the primitives whose
 * numerics depend on it. A float16 model (a frozen copy on a GPU) keeps float32 where transformers
 * does: attention scores are softmaxed in float32, norms are computed in float32, and logits leave
 * the model as float32.
 */
abstract class ParameterizedModel implements LanguageModel {

    /** A model's parameter arrays, the manager that owns them, and their precision. */
    record Parameters(NDManager manager, Map<String, NDArray> arrays, Precision precision) {}

    private final NDManager manager;
    private final Map<String, NDArray> parameters;
    private final Precision precision;
    private final DataType dataType;

    ParameterizedModel(Parameters parameters) {
        this.manager = parameters.manager();
        this.parameters = parameters.arrays();
        this.precision = parameters.precision();
        this.dataType = precision.dataType();
    }

    /**
     * Reads every parameter of {@code shapes} from {@code source} into a new manager on the placement's
     * device, each converted to its precision right after it is read (so a float16 model never holds
     * all its weights in float32 too); closes that manager again if any is missing or misshapen.
     */
    static Parameters load(Map<String, Shape> shapes, TensorSource source, Placement placement) {
        NDManager manager = NDManager.newBaseManager(placement.device());
        try {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            for (Map.Entry<String, Shape> e : shapes.entrySet()) {
                NDArray p = source.read(e.getKey(), e.getValue(), manager);
                if (!p.getShape().equals(e.getValue()) || p.getDataType() != DataType.FLOAT32) {
                    throw new IllegalArgumentException("parameter " + e.getKey() + " is " + p.getDataType() + " "
                            + p.getShape() + ", expected FLOAT32 " + e.getValue());
                }
                if (placement.dataType() != DataType.FLOAT32) {
                    NDArray converted = p.toType(placement.dataType(), false);
                    p.close();
                    p = converted;
                }
                arrays.put(e.getKey(), p);
            }
            return new Parameters(manager, arrays, placement.precision());
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Refuses weights whose names are not exactly the model's. */
    static void requireNames(Map<String, Shape> shapes, Map<String, float[]> weights) {
        if (!shapes.keySet().equals(weights.keySet())) {
            throw new IllegalArgumentException(
                    "weights do not match the model config: expected " + shapes.keySet() + ", got " + weights.keySet());
        }
    }

    @Override
    public Device device() {
        return manager.getDevice();
    }

    @Override
    public Precision precision() {
        return precision;
    }

    /** Only float32 models train: learners keep float32 master weights and optimizer state. */
    @Override
    public void setTrainable(boolean trainable) {
        if (trainable && precision != Precision.FLOAT32) {
            throw new IllegalStateException("a " + precision.configName() + " model is a frozen copy for generation"
                    + " and scoring: learners train float32 weights (load the model as float32 to train it)");
        }
        LanguageModel.super.setTrainable(trainable);
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

    /**
     * Concatenates the named parameters along their first axis into one array the model owns, and
     * makes each parameter a view of its rows there (its own array is freed): the values are held
     * once and can be used either way — the whole (one matrix product for several projections) or
     * each part (a parameter with a gradient of its own). Writes to a part are writes to the whole.
     */
    NDArray fuseParameters(String... names) {
        NDList parts = new NDList();
        for (String name : names) {
            parts.add(parameters.get(name));
        }
        NDArray whole = owned(NDArrays.concat(parts, 0));
        long from = 0;
        for (String name : names) {
            NDArray own = parameters.get(name);
            long rows = own.getShape().get(0);
            parameters.put(name, owned(whole.get(new NDIndex("{}:{}", from, from + rows))));
            own.close();
            from += rows;
        }
        return whole;
    }

    /** Keeps an array the model made out of the caller's scope (the model's manager closes it). */
    static NDArray owned(NDArray array) {
        NDScope.unregister(array);
        return array;
    }

    /**
     * Runs {@code step} (one block of a forward pass) in a scope of its own, so its intermediates are
     * freed as soon as it returns instead of living until the caller's scope ends; only its result
     * survives, handed to the caller's scope. Autograd is unaffected: freeing an array only drops
     * this handle, and the graph keeps every tensor backward reads (all of them made by PyTorch, none
     * a view of Java memory).
     */
    static NDArray scoped(Supplier<NDArray> step) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            out = step.get();
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /** {@code x} in the model's precision (the same array when it already is). */
    NDArray inModelType(NDArray x) {
        return x.toType(dataType, false);
    }

    /**
     * softmax(scores + bias) over the last axis, computed in float32 and returned in the model's
     * precision, as transformers' eager attention does: a float16 sum of a masked bias would
     * overflow, and float16 exponentials lose the small probabilities.
     */
    NDArray attentionWeights(NDArray scores, NDArray bias) {
        if (dataType == DataType.FLOAT32) {
            return scores.add(bias).softmax(-1);
        }
        return scores.toType(DataType.FLOAT32, false).add(bias).softmax(-1).toType(dataType, false);
    }

    /** Logits leave every model as float32, whatever it computes in (samplers and losses read them so). */
    static NDArray float32Logits(NDArray logits) {
        return logits.toType(DataType.FLOAT32, false);
    }

    /**
     * Rows {@code ids} of {@code table}. A table that trains gets a sparse gradient (the looked-up
     * rows only), added in place onto its dense .grad: a dense one would be a vocabulary-sized array
     * per backward, mostly zeros.
     */
    static NDArray embed(NDArray ids, NDArray table) {
        SparseFormat gradient = table.hasGradient() ? SparseFormat.COO : SparseFormat.DENSE;
        return ids.getNDArrayInternal().embedding(ids, table, gradient).singletonOrThrow();
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
