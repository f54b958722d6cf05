package io.rollstream.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code slots} section: what one slot of each slot-sharing group asks of a cluster's task
 * managers (Flink's fine-grained resource management). It applies to cluster submissions
 * ({@code ClusterJob}); a local mini-cluster ignores it. Either no group declares resources (every
 * group takes any slot) or the default group does too: Flink's slot manager can fail to place a
 * group without a profile next to groups with one after a task manager is lost (slots offered for
 * it are refused and re-allocated in a loop), so a mix is refused. The teacher group, when it
 * declares nothing, asks what the generators ask.
 *
 * @param defaultGroup the {@code slots.default} map: the slot of the sources, batch assembly and
 *     record sinks; default unspecified
 * @param rollout the {@code slots.rollout} map: one generator subtask's slot; default unspecified
 * @param learner the {@code slots.learner} map: the learner's slot; default unspecified
 * @param teacher the {@code slots.teacher} map: one teacher-scoring subtask's slot (distillation);
 *     default unspecified, i.e. that of {@code slots.rollout}
 */
public record SlotsSection(
        @JsonProperty("default") SlotResources defaultGroup,
        SlotResources rollout,
        SlotResources learner,
        SlotResources teacher) {

    /**
     * One slot's resources; all zero declares nothing.
     *
     * @param cpuCores CPU cores, at least 0; default 0
     * @param taskHeapMb task heap in MB, at least 0; default 0
     * @param taskOffHeapMb task off-heap memory in MB (PyTorch's native tensors live here), at least 0; default 0
     * @param gpus GPUs of the external resource {@code gpu}, at least 0; default 0
     */
    public record SlotResources(double cpuCores, int taskHeapMb, int taskOffHeapMb, int gpus) {

        public static SlotResources unspecified() {
            return new SlotResources(0, 0, 0, 0);
        }

        /** Whether the slot declares any resource. */
        public boolean declared() {
            return cpuCores > 0 || taskHeapMb > 0 || taskOffHeapMb > 0 || gpus > 0;
        }

        private void check(ConfigErrors e, String prefix) {
            e.check(cpuCores >= 0, prefix + ".cpu_cores", cpuCores, "must be >= 0");
            e.check(taskHeapMb >= 0, prefix + ".task_heap_mb", taskHeapMb, "must be >= 0");
            e.check(taskOffHeapMb >= 0, prefix + ".task_off_heap_mb", taskOffHeapMb, "must be >= 0");
            e.check(gpus >= 0, prefix + ".gpus", gpus, "must be >= 0");
            e.check(
                    !declared() || (cpuCores > 0 && taskHeapMb > 0),
                    prefix,
                    "cpu_cores " + cpuCores + ", task_heap_mb " + taskHeapMb,
                    "declares resources without both cpu_cores and task_heap_mb, which Flink requires together:"
                            + " set both (e.g. {cpu_cores: 1.0, task_heap_mb: 512}) or none");
        }
    }

    /** Every key at its default. */
    public static SlotsSection defaults() {
        return new SlotsSection(null, null, null, null);
    }

    public SlotsSection {
        defaultGroup = defaultGroup == null ? SlotResources.unspecified() : defaultGroup;
        rollout = rollout == null ? SlotResources.unspecified() : rollout;
        learner = learner == null ? SlotResources.unspecified() : learner;
        teacher = teacher == null ? SlotResources.unspecified() : teacher;
        ConfigErrors e = new ConfigErrors();
        defaultGroup.check(e, "slots.default");
        rollout.check(e, "slots.rollout");
        learner.check(e, "slots.learner");
        teacher.check(e, "slots.teacher");
        boolean others = rollout.declared() || learner.declared() || teacher.declared();
        e.check(
                !others || defaultGroup.declared(),
                "slots.default",
                "unspecified",
                "must declare resources when slots.rollout, slots.learner or slots.teacher does (Flink cannot"
                        + " reliably recover a job that mixes declared and undeclared slot groups): add e.g."
                        + " slots.default: {cpu_cores: 0.5, task_heap_mb: 128}");
        e.throwIfAny();
    }

    /** The teacher group's slot: its own declaration, or the generators'. */
    public SlotResources teacherOrRollout() {
        return teacher.declared() ? teacher : rollout;
    }
}
