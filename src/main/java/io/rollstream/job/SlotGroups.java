package io.rollstream.job;

import io.rollstream.config.SlotsSection.SlotResources;
import io.rollstream.device.DeviceSelection;
import org.apache.flink.api.common.operators.SlotSharingGroup;

/**
 * A named slot-sharing group, with the resources of {@code slots.<group>} when the config declares
 * them (then the cluster only places the group in a task manager slot that offers them, GPUs
 * included), without any otherwise.
 */
final class SlotGroups {

    private SlotGroups() {}

    static SlotSharingGroup of(String name, SlotResources resources) {
        SlotSharingGroup.Builder group = SlotSharingGroup.newBuilder(name);
        if (resources.declared()) {
            group.setCpuCores(resources.cpuCores())
                    .setTaskHeapMemoryMB(resources.taskHeapMb())
                    .setTaskOffHeapMemoryMB(resources.taskOffHeapMb());
            if (resources.gpus() > 0) {
                group.setExternalResource(DeviceSelection.GPU_RESOURCE, resources.gpus());
            }
        }
        return group.build();
    }
}
