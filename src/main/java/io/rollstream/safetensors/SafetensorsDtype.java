package io.rollstream.safetensors;

import java.util.Arrays;
import java.util.Optional;

/** The element types of the safetensors format, with their width in bytes. */
public enum SafetensorsDtype {
    BOOL(1),
    U8(1),
    I8(1),
    F8_E5M2(1),
    F8_E4M3(1),
    I16(2),
    U16(2),
    F16(2),
    BF16(2),
    I32(4),
    U32(4),
    F32(4),
    F64(8),
    I64(8),
    U64(8);

    private final int bytes;

    SafetensorsDtype(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** Whether model weights may be stored this way (they are widened to float32 when read). */
    public boolean isFloatWeight() {
        return this == F32 || this == BF16 || this == F16;
    }

    /** The type named {@code name} exactly as the format spells it. */
    public static Optional<SafetensorsDtype> byName(String name) {
        return Arrays.stream(values()).filter(d -> d.name().equals(name)).findFirst();
    }
}
