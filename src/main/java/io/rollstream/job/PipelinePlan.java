package io.rollstream.job;

import io.rollstream.batch.BatchAssemblyConfig;
import io.rollstream.eval.EvalSpec;
import io.rollstream.learner.LearnerSettings;
import io.rollstream.output.RolloutLogFormat;
import io.rollstream.policy.PolicyStore;
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
 */
public record PipelinePlan(String jobName, int rolloutParallelism, RolloutSettings rollout,
        BatchAssemblyConfig batch, LearnerSettings learner, TeacherSettings teacher, EvalSpec eval,
        ProblemValidator validator, PolicyStore store, RolloutLogFormat rolloutLog, RunPaths paths) {

    /** Task slots on one task manager: the default group's widest stage (the generators) plus the teacher's group. */
    public int slots() {
        return rolloutParallelism + (teacher != null ? teacher.parallelism() : 0);
    }
}
