package io.rollstream.device;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;

/**
 * Where a model lives and the number format it computes in. Reduced precision is for a GPU (memory
 * and tensor cores): frozen copies on the CPU are float32 ({@link #frozenCopy}), so a CPU run's
 * generators and its float32 learner agree on log-probabilities up to float32 rounding. The
 * constructor takes any combination (tests run the float16 path on the CPU engine).
 *
 * @param device the DJL device of the parameters and of every array a forward creates
 * @param precision the parameters' number format
 */
public record Placement(Device device, Precision precision) {

    public Placement {
        if (device == null || precision == null) {
            throw new IllegalArgumentException("a placement needs a device and a precision");
        }
    }

    /** float32 on the CPU. */
    public static Placement cpu() {
        return new Placement(Device.cpu(), Precision.FLOAT32);
    }

    /** float32 on {@code device} (learners, and every model that trains). */
    public static Placement float32(Device device) {
        return new Placement(device, Precision.FLOAT32);
    }

    /**
     * Where a frozen copy (a generator's policy, a teacher) computes: {@code wanted} on a GPU, float32
     * on the CPU.
     */
    public static Placement frozenCopy(Device device, Precision wanted) {
        return new Placement(device, device.isGpu() ? wanted : Precision.FLOAT32);
    }

    public DataType dataType() {
        return precision.dataType();
    }
}
