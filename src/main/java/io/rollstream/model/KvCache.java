package io.rollstream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

/**
 * Keys and values of the tokens seen so far, per layer, shaped (B, heads, length, headDim). The
 * cache owns its arrays: each append replaces (and closes) the previous ones, so a generation of N
 * tokens holds one set of arrays, not N. Arrays are unregistered from the current
 * {@link NDScope} so that a per-step scope does not free them.
 */
public final class KvCache implements AutoCloseable {

    private final NDArray[] keys;
    private final NDArray[] values;
    private int length;

    public KvCache(int layers) {
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Number of cached positions (including left padding). */
    public int length() {
        return length;
    }

    NDArray appendKeys(int layer, NDArray k) {
        keys[layer] = append(keys[layer], k);
        return keys[layer];
    }

    NDArray appendValues(int layer, NDArray v) {
        values[layer] = append(values[layer], v);
        return values[layer];
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

    private static NDArray append(NDArray cached, NDArray fresh) {
        if (cached == null) {
            NDArray copy = fresh.duplicate();
            NDScope.unregister(copy);
            return copy;
        }
        return replace(cached, cached.concat(fresh, 2));
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
