package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.config.ConfigLoader;
import io.rollstream.config.RunConfig;
import io.rollstream.teacher.TeacherScoring;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.runtime.clusterframework.types.ResourceProfile;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster submission with a {@code slots} section gives every slot-sharing group of the job a
 * resource profile (a group without one next to groups with one failed to recover on a cluster).
 */
class SlotResourcesInTheJobTest {

    @TempDir
    Path dir;

    @Test
    void everyGroupOfADistillationJobAsksForItsDeclaredResources() {
        RunConfig c = ConfigLoader.parse(
                "data: {source: task, task: arithmetic, difficulty: 1}\neval: {problems: 20}\n"
                        + "learner: {algorithm: reverse_kl}\nteacher: {checkpoint: t.rsckpt}\nmodel: {context_length: 12}\n"
                        + "slots: {default: {cpu_cores: 0.25, task_heap_mb: 64}, rollout: {cpu_cores: 1, task_heap_mb: 256},"
                        + " learner: {cpu_cores: 0.5, task_heap_mb: 512}}",
                List.of());
        PipelinePlan plan = PlanFactory.plan(c, RunPaths.under(dir, null), 12).withSlotResources(c.slots());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        RlPipelineJob.build(env, plan, PlanFactory.io(c, plan));
        StreamGraph graph = env.getStreamGraph();

        Set<String> groups = new TreeSet<>();
        graph.getStreamNodes().forEach(n -> groups.add(n.getSlotSharingGroup()));
        assertThat(groups).containsExactly("default", "learner", "rollout", TeacherScoring.SLOT_SHARING_GROUP);
        for (String group : groups) {
            assertThat(graph.getSlotSharingGroupResource(group)).as(group).get().isNotEqualTo(ResourceProfile.UNKNOWN);
        }
        assertThat(graph.getSlotSharingGroupResource("default")
                        .get()
                        .getCpuCores()
                        .getValue()
                        .doubleValue())
                .isEqualTo(0.25);
        assertThat(graph.getSlotSharingGroupResource(TeacherScoring.SLOT_SHARING_GROUP)
                        .get())
                .as("the teacher asks what a generator asks")
                .isEqualTo(graph.getSlotSharingGroupResource("rollout").get());
    }
}
