package io.rollstream.device;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/**
 * The number format a model computes in ({@code model.dtype}). Learners always train float32
 * master weights with float32 optimizer state; {@code float16} applies to the frozen copies that
 * only run forward passes (generators, the teacher) when they run on a GPU ({@link Placement}).
 * {@code bfloat16} is not offered: DJL 0.35.1's PyTorch engine aborts the JVM on any BF16 array on
 * the CPU, and no test has proven it on a GPU.
 */
public enum Precision {
    FLOAT32(DataType.FLOAT32),
    FLOAT16(DataType.FLOAT16);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    /** The DJL type of the model's parameters and activations. */
    public DataType dataType() {
        return dataType;
    }

    /** As written in a config ({@code float16}). */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
