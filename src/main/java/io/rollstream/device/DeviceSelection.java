package io.rollstream.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the device of one model-running subtask (a generator, a teacher or the learner) from three
 * facts: the configured setting ({@code rollout.device} or {@code learner.device}), the GPUs its
 * task manager declares through Flink's external resource framework ({@code external-resources:
 * gpu}, the driver's {@code index} property), and the CUDA devices PyTorch can see. Subtasks of
 * one task manager spread over its GPUs ({@code subtask % gpus}). A local mini-cluster never
 * declares GPUs, and a task manager may declare one while PyTorch has only its CPU natives:
 * {@code auto} then runs on the CPU and says why; an explicit {@code gpu} fails with the fix
 * instead.
 */
public final class DeviceSelection {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceSelection.class);

    /** The external resource name task managers declare GPUs under ({@code external-resources: gpu}). */
    public static final String GPU_RESOURCE = "gpu";
    /** The GPU driver's property holding a GPU's index. */
    static final String INDEX_PROPERTY = "index";

    /**
     * @param device the DJL device to run on
     * @param declaredGpu the task manager's GPU index this subtask was given, or -1 when it declares none
     * @param reason one line saying how the device was chosen (logged)
     */
    public record Choice(Device device, int declaredGpu, String reason) {}

    private DeviceSelection() {}

    /** The GPU indexes a task manager declares, in ascending order (empty without the framework). */
    public static List<Integer> gpuIndexes(Collection<ExternalResourceInfo> infos) {
        List<Integer> indexes = new ArrayList<>();
        for (ExternalResourceInfo info : infos) {
            info.getProperty(INDEX_PROPERTY)
                    .map(String::trim)
                    .map(Integer::parseInt)
                    .ifPresent(indexes::add);
        }
        indexes.sort(null);
        return indexes;
    }

    /** The GPU indexes the task manager running {@code context}'s subtask declares. */
    public static List<Integer> declaredGpus(RuntimeContext context) {
        return gpuIndexes(context.getExternalResourceInfos(GPU_RESOURCE));
    }

    /**
     * @param key the config key of {@code wanted}, named in messages ({@code rollout.device})
     * @param wanted the configured setting
     * @param declaredGpus the task manager's GPU indexes ({@link #gpuIndexes})
     * @param subtask index of the subtask that will run the model
     * @param cudaDevices CUDA devices PyTorch sees ({@code Engine.getGpuCount()})
     */
    public static Choice choose(
            String key, DeviceSetting wanted, List<Integer> declaredGpus, int subtask, int cudaDevices) {
        if (wanted == DeviceSetting.CPU) {
            return new Choice(Device.cpu(), -1, key + ": cpu");
        }
        if (!declaredGpus.isEmpty()) {
            int index = declaredGpus.get(subtask % declaredGpus.size());
            if (cudaDevices > 0) {
                // The driver reports nvidia-smi's indexes; with CUDA_VISIBLE_DEVICES narrowing what
                // PyTorch sees, an index beyond its count is taken by position among the declared ones.
                int ordinal = index < cudaDevices ? index : declaredGpus.indexOf(index) % cudaDevices;
                return new Choice(
                        Device.gpu(ordinal),
                        index,
                        "task manager GPU index " + index + " (external resource '" + GPU_RESOURCE + "'), CUDA device "
                                + ordinal);
            }
            if (wanted == DeviceSetting.GPU) {
                throw new IllegalStateException(key + ": gpu, and the task manager declares GPU index "
                        + index + ", but PyTorch sees no CUDA device: point DJL at a CUDA libtorch"
                        + " (PYTORCH_LIBRARY_PATH, PYTORCH_VERSION=2.7.1, PYTORCH_FLAVOR=cu128; docker/ builds it"
                        + " with --build-arg PYTORCH_FLAVOR=cu128) or set " + key + ": auto to fall back to the CPU");
            }
            return new Choice(
                    Device.cpu(),
                    index,
                    "task manager GPU index " + index + " (external resource '" + GPU_RESOURCE
                            + "'), but PyTorch sees no CUDA device: falling back to the CPU");
        }
        if (cudaDevices > 0) {
            int ordinal = subtask % cudaDevices;
            return new Choice(
                    Device.gpu(ordinal),
                    -1,
                    "no GPUs declared by the task manager; CUDA device " + ordinal + " of " + cudaDevices
                            + " visible to PyTorch");
        }
        if (wanted == DeviceSetting.GPU) {
            throw new IllegalStateException(key + ": gpu, but neither the task manager declares a GPU"
                    + " (external-resources: gpu) nor does PyTorch see a CUDA device: set " + key + ": auto"
                    + " or cpu, or run on a GPU task manager");
        }
        return new Choice(Device.cpu(), -1, "no GPU declared by the task manager or visible to PyTorch: CPU");
    }

    /** {@link #choose} with the engine's CUDA count, logged as one line naming the stage and subtask. */
    public static Device forSubtask(
            String stage, String key, DeviceSetting wanted, List<Integer> declaredGpus, int subtask) {
        Choice choice =
                choose(key, wanted, declaredGpus, subtask, Engine.getInstance().getGpuCount());
        LOG.info("{} subtask {} runs on {}: {}", stage, subtask, choice.device(), choice.reason());
        return choice.device();
    }

    /**
     * Where a frozen copy (a generator's policy, a teacher) of {@code precision} runs: {@link
     * #forSubtask}'s device, with {@code precision} on a GPU and float32 on the CPU ({@link
     * Placement#frozenCopy}), which is logged when {@code model.dtype} asked for less.
     */
    public static Placement frozenCopyForSubtask(
            String stage,
            String key,
            DeviceSetting wanted,
            Precision precision,
            List<Integer> declaredGpus,
            int subtask) {
        Placement placement = Placement.frozenCopy(forSubtask(stage, key, wanted, declaredGpus, subtask), precision);
        if (placement.precision() != precision) {
            LOG.warn(
                    "{} subtask {} runs on the CPU, which computes in float32: model.dtype {} applies to copies on a"
                            + " GPU only",
                    stage,
                    subtask,
                    precision.configName());
        }
        return placement;
    }
}
