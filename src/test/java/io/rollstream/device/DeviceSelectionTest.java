package io.rollstream.device;

import static io.rollstream.testing.DeclaredGpus.gpu;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeviceSelectionTest {

    private static final String KEY = "rollout.device";

    @Test
    void declaredGpuIndexesAreReadSortedFromTheDriversIndexProperty() {
        assertThat(DeviceSelection.gpuIndexes(Set.of(gpu("3"), gpu(" 1"), gpu("2"))))
                .containsExactly(1, 2, 3);
        assertThat(DeviceSelection.gpuIndexes(Set.of())).isEmpty();
    }

    @Test
    void subtasksSpreadOverTheTaskManagersGpusWhenCudaSeesThem() {
        List<Integer> declared = List.of(0, 1);
        assertThat(DeviceSelection.choose(KEY, DeviceSetting.AUTO, declared, 0, 2)
                        .device())
                .isEqualTo(Device.gpu(0));
        assertThat(DeviceSelection.choose(KEY, DeviceSetting.AUTO, declared, 1, 2)
                        .device())
                .isEqualTo(Device.gpu(1));
        DeviceSelection.Choice third = DeviceSelection.choose(KEY, DeviceSetting.GPU, declared, 2, 2);
        assertThat(third.device()).isEqualTo(Device.gpu(0));
        assertThat(third.declaredGpu()).isZero();
    }

    @Test
    void aPhysicalIndexBeyondWhatCudaSeesIsTakenByItsPosition() {
        // CUDA_VISIBLE_DEVICES=5,7: PyTorch sees two devices, the driver reports 5 and 7.
        DeviceSelection.Choice choice = DeviceSelection.choose(KEY, DeviceSetting.AUTO, List.of(5, 7), 1, 2);
        assertThat(choice.device()).isEqualTo(Device.gpu(1));
        assertThat(choice.declaredGpu()).isEqualTo(7);
    }

    @Test
    void autoFallsBackToTheCpuAndReportsTheDeclaredIndexWhenCudaIsAbsent() {
        DeviceSelection.Choice choice = DeviceSelection.choose(KEY, DeviceSetting.AUTO, List.of(0), 1, 0);
        assertThat(choice.device()).isEqualTo(Device.cpu());
        assertThat(choice.declaredGpu()).isZero();
        assertThat(choice.reason()).contains("GPU index 0").contains("falling back to the CPU");
    }

    @Test
    void withoutDeclaredGpusAutoUsesVisibleCudaDevicesOrTheCpu() {
        assertThat(DeviceSelection.choose(KEY, DeviceSetting.AUTO, List.of(), 3, 2)
                        .device())
                .isEqualTo(Device.gpu(1));
        DeviceSelection.Choice cpu = DeviceSelection.choose(KEY, DeviceSetting.AUTO, List.of(), 0, 0);
        assertThat(cpu.device()).isEqualTo(Device.cpu());
        assertThat(cpu.declaredGpu()).isEqualTo(-1);
    }

    @Test
    void cpuIsNeverOverriddenByDeclaredGpus() {
        assertThat(DeviceSelection.choose(KEY, DeviceSetting.CPU, List.of(0), 0, 1)
                        .device())
                .isEqualTo(Device.cpu());
    }

    @Test
    void anExplicitGpuWithoutCudaFailsNamingTheKeyAndTheFix() {
        assertThatThrownBy(() -> DeviceSelection.choose(KEY, DeviceSetting.GPU, List.of(0), 0, 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("rollout.device: gpu")
                .hasMessageContaining("rollout.device: auto");
        assertThatThrownBy(() -> DeviceSelection.choose(KEY, DeviceSetting.GPU, List.of(), 0, 0))
                .hasMessageContaining("external-resources: gpu");
        assertThatThrownBy(() -> DeviceSelection.choose("learner.device", DeviceSetting.GPU, List.of(), 0, 0))
                .hasMessageContaining("learner.device: gpu")
                .hasMessageContaining("set learner.device: auto");
    }

    @Test
    void frozenCopiesComputeInTheConfiguredPrecisionOnAGpuAndInFloat32OnTheCpu() {
        assertThat(Placement.frozenCopy(Device.gpu(0), Precision.FLOAT16).precision())
                .isEqualTo(Precision.FLOAT16);
        assertThat(Placement.frozenCopy(Device.cpu(), Precision.FLOAT16).precision())
                .isEqualTo(Precision.FLOAT32);
        Placement onCpu = DeviceSelection.frozenCopyForSubtask(
                "rollout", KEY, DeviceSetting.CPU, Precision.FLOAT16, List.of(0), 0);
        assertThat(onCpu).isEqualTo(Placement.cpu());
    }
}
