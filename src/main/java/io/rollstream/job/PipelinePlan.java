package io.rollstream.job;

import io.rollstream.batch.BatchAssemblyConfig;
import io.rollstream.eval.EvalSpec;
import io.rollstream.learner.LearnerSettings;
import io.rollstream.output.RolloutLogFormat;
import io.rollstream.policy.PolicyStore;
import io.rollstream.rollout.RolloutSettings;
import io.rollstream.source.ProblemValidator;

/**
 * Everything the job graph needs, resolved from the config: one value per stage.
 *
 * @param jobName Flink job name
 * @param rolloutParallelism generator subtasks
 * @param rollout rollout-stage settings (gate, pools, early filter view, batching, policy polling)
 * @param batch batch-assembly settings
 * @param learner learner settings
 * @param eval held-out evaluation, or null
 * @param validator problem validation
 * @param store the policy store
 * @param rolloutLog what goes to rollouts.jsonl
 * @param paths the run directory's files
 */
public record PipelinePlan(String jobName, int rolloutParallelism, RolloutSettings rollout,
        BatchAssemblyConfig batch, LearnerSettings learner, EvalSpec eval, ProblemValidator validator,
        PolicyStore store, RolloutLogFormat rolloutLog, RunPaths paths) {}
