package io.rollstream.job;

import io.rollstream.batch.BatchAssemblyOperator;
import io.rollstream.common.Json;
import io.rollstream.learner.LearnerOperator;
import io.rollstream.output.InvalidRecordCount;
import io.rollstream.output.JsonLinesSink;
import io.rollstream.rollout.RolloutOperator;
import io.rollstream.rollout.RolloutOperatorFactory;
import io.rollstream.source.ValidateProblems;
import io.rollstream.tasks.Problem;
import io.rollstream.teacher.TeacherScoring;
import io.rollstream.types.GroupOutcome;
import io.rollstream.types.InvalidRecord;
import io.rollstream.types.ScoredGroup;
import io.rollstream.types.StepMetrics;
import io.rollstream.types.TrainBatch;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The RL pipeline as one Flink job. {@link #build} reads like the data-flow diagram: one stage per
 * statement, each with a stable uid (savepoints map state by uid).
 */
public final class RlPipelineJob {

    /** Flink's default slot-sharing group: sources, validation, batch assembly and sinks. */
    static final String DEFAULT_SLOT_GROUP = "default";
    /** The generators' slot-sharing group: one slot (and on a cluster one GPU) per rollout subtask. */
    public static final String ROLLOUT_SLOT_GROUP = "rollout";
    /** The learner's slot-sharing group. */
    public static final String LEARNER_SLOT_GROUP = "learner";

    private RlPipelineJob() {}

    /** Adds the pipeline to {@code env}; returns the learner's step reports. */
    public static DataStream<StepMetrics> build(StreamExecutionEnvironment env, PipelinePlan plan, PipelineIo io) {
        // The default group's slot resources (slots.default) for the operators that name no group.
        env.registerSlotSharingGroup(
                SlotGroups.of(DEFAULT_SLOT_GROUP, plan.slotResources().defaultGroup()));
        // Problems, validated: records refused by the source or by validation go to invalid-records.jsonl.
        PipelineIo.ProblemInput input = io.problems().create(env);
        SingleOutputStreamOperator<Problem> problems = input.problems()
                .process(new ValidateProblems(plan.validator()))
                .name("validate-problems")
                .uid("validate-problems")
                .setParallelism(1);

        // Keyed by problem: admission gate, difficulty pools, group generation and scoring.
        SingleOutputStreamOperator<ScoredGroup> groups = problems.keyBy(
                        (KeySelector<Problem, String>) Problem::id, Types.STRING)
                .transform(
                        "rollout",
                        TypeInformation.of(ScoredGroup.class),
                        new RolloutOperatorFactory(plan.rollout(), io.sampler(), plan.store()))
                .uid("rollout")
                .setParallelism(plan.rolloutParallelism())
                .slotSharingGroup(
                        SlotGroups.of(ROLLOUT_SLOT_GROUP, plan.slotResources().rollout()));

        // Distillation only: the teacher adds per-token rewards (teacher − student log-prob) to every rollout.
        if (plan.teacher() != null) {
            groups = TeacherScoring.appendTo(groups, plan.teacher())
                    .slotSharingGroup(SlotGroups.of(
                            TeacherScoring.SLOT_SHARING_GROUP,
                            plan.slotResources().teacherOrRollout()));
        }

        // Whole groups into exact batches: advantages, filters, staleness; outcomes of every group.
        // Named explicitly: otherwise it (and everything after it) would inherit the teacher's slot group.
        SingleOutputStreamOperator<TrainBatch> batches =
                BatchAssemblyOperator.appendTo(groups, plan.batch()).slotSharingGroup(DEFAULT_SLOT_GROUP);

        // The embedded learner: one step per batch, each new version published to the policy store.
        SingleOutputStreamOperator<StepMetrics> reports = batches.transform(
                        "learner",
                        TypeInformation.of(StepMetrics.class),
                        new LearnerOperator(plan.learner(), plan.store(), plan.eval()))
                .uid("learner")
                .setParallelism(1)
                .setMaxParallelism(1)
                .slotSharingGroup(
                        SlotGroups.of(LEARNER_SLOT_GROUP, plan.slotResources().learner()));

        // The run directory's record files; each metrics.jsonl line counts the invalid records so far.
        DataStream<InvalidRecord> refused = problems.getSideOutput(ValidateProblems.INVALID)
                .union(groups.getSideOutput(RolloutOperator.SCORING_FAILURES));
        DataStream<InvalidRecord> invalid = input.invalidRecords()
                .map(fromSource -> fromSource.union(refused))
                .orElse(refused);
        invalid.sinkTo(new JsonLinesSink<InvalidRecord>(
                        plan.paths().invalidRecords().toString(),
                        r -> Json.mapper().writeValueAsString(r)))
                .name("invalid-records.jsonl")
                .uid("invalid-records-sink")
                .setParallelism(1);
        reports.connect(invalid)
                .process(new InvalidRecordCount(), TypeInformation.of(StepMetrics.class))
                .name("count-invalid-records")
                .uid("invalid-record-count")
                .setParallelism(1)
                .setMaxParallelism(1)
                .slotSharingGroup(LEARNER_SLOT_GROUP)
                .sinkTo(new JsonLinesSink<>(plan.paths().metrics().toString(), StepMetrics::toJson))
                .name("metrics.jsonl")
                .uid("metrics-sink")
                .setParallelism(1);
        batches.getSideOutput(BatchAssemblyOperator.OUTCOMES)
                .sinkTo(new JsonLinesSink<GroupOutcome>(plan.paths().rollouts().toString(), plan.rolloutLog()::render))
                .name("rollouts.jsonl")
                .uid("rollouts-sink")
                .setParallelism(1);
        return reports;
    }
}
