package io.rollstream.device;

import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.Utils;

/**
 * What the PyTorch engine of this JVM loaded, to check a machine before a run: a GPU task manager
 * must report a CUDA build ({@code cuda_build}) and its GPUs ({@code cuda_devices}), from the
 * libtorch that {@code PYTORCH_LIBRARY_PATH} names when it is set (docker/README.md).
 *
 * @param engine the engine's name ({@code PyTorch})
 * @param version the libtorch version DJL loaded
 * @param libtorch the directory the native libraries were loaded from
 * @param cudaBuild whether that libtorch has CUDA kernels
 * @param cudaDevices CUDA devices visible to PyTorch (0 without a driver or a GPU)
 * @param offline whether DJL may download nothing ({@code ai.djl.offline})
 */
public record EngineReport(
        String engine, String version, String libtorch, boolean cudaBuild, int cudaDevices, boolean offline) {

    /** Loads the engine (if it is not loaded yet) and describes it. */
    public static EngineReport current() {
        Engine engine = Engine.getInstance();
        return new EngineReport(
                engine.getEngineName(),
                engine.getVersion(),
                LibUtils.getLibtorchPath(),
                engine.hasCapability(StandardCapabilities.CUDA),
                engine.getGpuCount(),
                Utils.isOfflineMode());
    }
}
