package io.rollstream.device;

/**
 * Where a model-running stage is configured to run ({@code rollout.device} for generators and the
 * teacher, {@code learner.device} for the learner); {@link DeviceSelection} turns it into a device.
 */
public enum DeviceSetting {
    /** A GPU when the task manager declares one or PyTorch sees one, else the CPU (logged). */
    AUTO,
    /** Always the CPU. */
    CPU,
    /** A GPU, or a failure naming the fix. */
    GPU
}
