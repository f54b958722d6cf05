package io.rollstream.job;

import io.rollstream.batch.BatchAssemblyConfig;
import io.rollstream.config.SlotsSection;
import io.rollstream.eval.EvalSpec;
import io.rollstream.learner.LearnerSettings;
import io.rollstream.output.RolloutLogFormat;
import io.rollstream.policy.PolicyStore;
import io.rollstream.policy.RunSignals;
import io.rollstream.rollout.RolloutSettings;
import io.rollstream.source.ProblemValidator;
import io.rollstream.teacher.TeacherSettings;

/**
 * Everything the job graph needs, resolved from the config: one value per stage.
 *
 * @param jobName Flink job name
 * @param rolloutParallelism generator subtasks
 * @param rollout rollout-stage settings (gate, pools, early filter view, batching, policy polling)
 * @param batch batch-assembly settings
 * @param learner learner settings
 * @param teacher the teacher-scoring stage for distillation, or null (no teacher: RL)
 * @param eval held-out evaluation, or null
 * @param validator problem validation
 * @param store the policy store
 * @param rolloutLog what goes to rollouts.jsonl
 * @param paths the run directory's files
 * @param slotResources what a slot of the rollout and of the learner group asks of a cluster (declared only
 *     for cluster submissions: see {@link #withSlotResources})
 */
public record PipelinePlan(
        String jobName,
        int rolloutParallelism,
        RolloutSettings rollout,
        BatchAssemblyConfig batch,
        LearnerSettings learner,
        TeacherSettings teacher,
        EvalSpec eval,
        ProblemValidator validator,
        PolicyStore store,
        RolloutLogFormat rolloutLog,
        RunPaths paths,
        SlotsSection slotResources) {

    public PipelinePlan {
        slotResources = slotResources == null ? SlotsSection.defaults() : slotResources;
    }

    /**
     * Task slots the job takes: one per subtask of its widest stage in each slot-sharing group — the
     * default group (sources, validation, batch assembly, sinks: 1), the generators, the learner (1)
     * and the teacher.
     */
    public int slots() {
        return 1 + rolloutParallelism + 1 + (teacher != null ? teacher.parallelism() : 0);
    }

    /** The run's control signals (fence, finished, stopping), at the root of its policy store. */
    public RunSignals signals() {
        return new RunSignals(store);
    }

    /** The same plan asking the cluster for {@code resources} per rollout and learner slot. */
    public PipelinePlan withSlotResources(SlotsSection resources) {
        return new PipelinePlan(
                jobName,
                rolloutParallelism,
                rollout,
                batch,
                learner,
                teacher,
                eval,
                validator,
                store,
                rolloutLog,
                paths,
                resources);
    }
}
