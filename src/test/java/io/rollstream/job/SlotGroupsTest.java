package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.config.SlotsSection.SlotResources;
import java.util.Map;
import org.apache.flink.api.common.operators.SlotSharingGroup;
import org.apache.flink.configuration.MemorySize;
import org.junit.jupiter.api.Test;

class SlotGroupsTest {

    @Test
    void declaredResourcesBecomeTheGroupsRequirementGpusIncluded() {
        SlotSharingGroup group = SlotGroups.of("rollout", new SlotResources(2.0, 1024, 4096, 1));
        assertThat(group.getName()).isEqualTo("rollout");
        assertThat(group.getCpuCores()).contains(2.0);
        assertThat(group.getTaskHeapMemory()).contains(MemorySize.ofMebiBytes(1024));
        assertThat(group.getTaskOffHeapMemory()).contains(MemorySize.ofMebiBytes(4096));
        assertThat(group.getExternalResources()).isEqualTo(Map.of("gpu", 1.0));
    }

    @Test
    void aGroupWithoutDeclaredResourcesAsksForNothing() {
        SlotSharingGroup group = SlotGroups.of("learner", SlotResources.unspecified());
        assertThat(group.getName()).isEqualTo("learner");
        assertThat(group.getCpuCores()).isEmpty();
        assertThat(group.getExternalResources()).isEmpty();
    }
}
