package io.rollstream.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.api.common.externalresource.ExternalResourceInfo;

import org.junit.jupiter.api.Test;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import ai.djl.Device;

class DeviceSelectionTest {

    /** What Flink's GPU driver hands an operator: one info per GPU, its index as a property. */
    private static ExternalResourceInfo gpu(String index) {
        return new ExternalResourceInfo() {
            @Override
            public Optional<String> getProperty(String key) {
                return Optional.ofNullable(Map.of("index", index).get(key));
            }

            @Override
            public Collection<String> getKeys() {
                return List.of("index");
            }
        };
    }

    @Test
    void declaredGpuIndexesAreReadSortedFromTheDriversIndexProperty() {
        assertThat(DeviceSelection.gpuIndexes(Set.of(gpu("3"), gpu(" 1"), gpu("2")))).containsExactly(1, 2, 3);
        assertThat(DeviceSelection.gpuIndexes(Set.of())).isEmpty();
    }

    @Test
    void subtasksSpreadOverTheTaskManagersGpusWhenCudaSeesThem() {
        List<Integer> declared = List.of(0, 1);
        assertThat(DeviceSelection.choose(DeviceSetting.AUTO, declared, 0, 2).device()).isEqualTo(Device.gpu(0));
        assertThat(DeviceSelection.choose(DeviceSetting.AUTO, declared, 1, 2).device()).isEqualTo(Device.gpu(1));
        DeviceSelection.Choice third = DeviceSelection.choose(DeviceSetting.GPU, declared, 2, 2);
        assertThat(third.device()).isEqualTo(Device.gpu(0));
        assertThat(third.declaredGpu()).isZero();
    }

    @Test
    void aPhysicalIndexBeyondWhatCudaSeesIsTakenByItsPosition() {
        // CUDA_VISIBLE_DEVICES=5,7: PyTorch sees two devices, the driver reports 5 and 7.
        DeviceSelection.Choice choice = DeviceSelection.choose(DeviceSetting.AUTO, List.of(5, 7), 1, 2);
        assertThat(choice.device()).isEqualTo(Device.gpu(1));
        assertThat(choice.declaredGpu()).isEqualTo(7);
    }

    @Test
    void autoFallsBackToTheCpuAndReportsTheDeclaredIndexWhenCudaIsAbsent() {
        DeviceSelection.Choice choice = DeviceSelection.choose(DeviceSetting.AUTO, List.of(0), 1, 0);
        assertThat(choice.device()).isEqualTo(Device.cpu());
        assertThat(choice.declaredGpu()).isZero();
        assertThat(choice.reason()).contains("GPU index 0").contains("falling back to the CPU");
    }

    @Test
    void withoutDeclaredGpusAutoUsesVisibleCudaDevicesOrTheCpu() {
        assertThat(DeviceSelection.choose(DeviceSetting.AUTO, List.of(), 3, 2).device()).isEqualTo(Device.gpu(1));
        DeviceSelection.Choice cpu = DeviceSelection.choose(DeviceSetting.AUTO, List.of(), 0, 0);
        assertThat(cpu.device()).isEqualTo(Device.cpu());
        assertThat(cpu.declaredGpu()).isEqualTo(-1);
    }

    @Test
    void cpuIsNeverOverriddenByDeclaredGpus() {
        assertThat(DeviceSelection.choose(DeviceSetting.CPU, List.of(0), 0, 1).device()).isEqualTo(Device.cpu());
    }

    @Test
    void anExplicitGpuWithoutCudaFailsNamingTheKeyAndTheFix() {
        assertThatThrownBy(() -> DeviceSelection.choose(DeviceSetting.GPU, List.of(0), 0, 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("rollout.device: gpu").hasMessageContaining("rollout.device: auto");
        assertThatThrownBy(() -> DeviceSelection.choose(DeviceSetting.GPU, List.of(), 0, 0))
                .hasMessageContaining("external-resources: gpu");
    }
}
