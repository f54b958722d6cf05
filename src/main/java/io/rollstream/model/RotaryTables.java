package io.rollstream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Rotary position embeddings (RoFormer), in the "rotate half" layout. */
final class RotaryTables {

    private static final double BASE = 10000.0;

    private RotaryTables() {}

    /** cos and sin tables of shape (contextLength, headDim), owned by {@code manager}. */
    static NDArray[] create(NDManager manager, int contextLength, int headDim) {
        int half = headDim / 2;
        float[] cos = new float[contextLength * headDim];
        float[] sin = new float[contextLength * headDim];
        for (int pos = 0; pos < contextLength; pos++) {
            for (int i = 0; i < half; i++) {
                double angle = pos / Math.pow(BASE, 2.0 * i / headDim);
                cos[pos * headDim + i] = cos[pos * headDim + i + half] = (float) Math.cos(angle);
                sin[pos * headDim + i] = sin[pos * headDim + i + half] = (float) Math.sin(angle);
            }
        }
        Shape shape = new Shape(contextLength, headDim);
        return new NDArray[] {owned(manager.create(cos, shape)), owned(manager.create(sin, shape))};
    }

    /** x * cos + rotate_half(x) * sin for x of shape (B, H, T, hd) and tables (B|1, 1, T, hd). */
    static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        NDList halves = x.split(2, 3);
        NDArray rotated = halves.get(1).neg().concat(halves.get(0), 3);
        return x.mul(cos).add(rotated.mul(sin));
    }

    private static NDArray owned(NDArray fromJava) {
        NDArray copy = fromJava.duplicate();
        fromJava.close();
        return copy;
    }
}
