package io.rollstream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of the tokens seen so far, per layer. Each layer's buffer is allocated once,
 * shaped (B, heads, capacity, headDim), and new positions are written into it in place; a step
 * attends to a view of the filled prefix. Growing by concatenation instead would copy the whole
 * cache at every generated token (quadratic in the sequence length).
 *
 * <p>The cache owns its buffers (unregistered from the current {@link NDScope}, so a per-step scope
 * does not free them) and closes them in {@link #close()}; the views it returns belong to the
 * caller's scope.
 */
public final class KvCache implements AutoCloseable {

    private final NDArray[] keys;
    private final NDArray[] values;
    private final int capacity;
    private int length;

    /**
     * @param layers transformer blocks
     * @param capacity most positions ever cached (prompt width plus new tokens)
     */
    public KvCache(int layers, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a KV cache needs room for at least one position, got " + capacity);
        }
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.capacity = capacity;
    }

    /** Number of cached positions (including left padding). */
    public int length() {
        return length;
    }

    /** Writes {@code k} (B, heads, T, headDim) after the cached positions; returns all of them. */
    NDArray appendKeys(int layer, NDArray k) {
        keys[layer] = write(keys[layer], k);
        return filled(keys[layer], k.getShape().get(2));
    }

    NDArray appendValues(int layer, NDArray v) {
        values[layer] = write(values[layer], v);
        return filled(values[layer], v.getShape().get(2));
    }

    void advance(long tokens) {
        length += Math.toIntExact(tokens);
    }

    /** Keeps only the given batch rows (in that order), e.g. to drop finished sequences. */
    public void selectRows(NDArray rowIndex) {
        for (int i = 0; i < keys.length; i++) {
            keys[i] = replace(keys[i], keys[i].get(rowIndex));
            values[i] = replace(values[i], values[i].get(rowIndex));
        }
    }

    private NDArray write(NDArray buffer, NDArray fresh) {
        Shape s = fresh.getShape();
        long t = s.get(2);
        if (length + t > capacity) {
            throw new IllegalStateException(
                    "KV cache full: " + length + " + " + t + " positions exceed its capacity of " + capacity);
        }
        if (buffer == null) {
            buffer = fresh.getManager()
                    .zeros(new Shape(s.get(0), s.get(1), capacity, s.get(3)), fresh.getDataType(), fresh.getDevice());
            NDScope.unregister(buffer);
        }
        buffer.set(new NDIndex(":, :, {}:{}", length, length + t), fresh);
        return buffer;
    }

    /** View of the positions written so far, including the {@code t} just written. */
    private NDArray filled(NDArray buffer, long t) {
        return buffer.get(new NDIndex(":, :, :{}", length + t));
    }

    private static NDArray replace(NDArray old, NDArray next) {
        NDScope.unregister(next);
        old.close();
        return next;
    }

    @Override
    public void close() {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                keys[i].close();
                values[i].close();
                keys[i] = null;
                values[i] = null;
            }
        }
    }
}
