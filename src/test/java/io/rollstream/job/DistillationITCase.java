package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import io.rollstream.config.ConfigLoader;
import io.rollstream.config.RunConfig;
import io.rollstream.teacher.TeacherScoring;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On-policy distillation end to end on a local mini-cluster: {@code rollstream sft} makes a teacher
 * (wider, trained longer) and a weak student start, then the distillation job (rollout → teacher
 * scoring → batch assembly → reverse-KL learner, one optimizer step per prompt) runs 10 epochs over
 * 8 prompts; the reverse KL to the teacher must fall.
 */
@Tag("djl")
class DistillationITCase {

    @TempDir
    Path dir;

    private static final String EVAL = "eval: {problems: 20, every_steps: 0}\n";
    private static final String TASK = "data: {source: task, task: arithmetic, difficulty: 1}\n" + EVAL;

    private RunConfig config(String yaml, String... overrides) {
        return ConfigLoader.parse(yaml, List.of(overrides));
    }

    private RunConfig distillation() {
        return config(
                """
                job: {name: distill-it, seed: 4, max_steps: 10, max_minutes: 3, web_ui: false, web_ui_port: 0,
                      checkpoint_interval_s: 2}
                data: {source: task, task: arithmetic, difficulty: 1, max_problems: 8, epochs: 10}
                model: {layers: 1, heads: 2, d_model: 32, mlp_width: 64, context_length: 12}
                rollout: {num_rollouts_per_prompt: 4, max_new_tokens: 4}
                buffer: {batch_size: 32}
                async: {max_async_level: 0, max_off_policy_steps: 0}
                learner: {algorithm: reverse_kl, learning_rate: 1.0e-3, optimizer_step: per_prompt}
                """ + EVAL,
                "model.init=" + dir.resolve("student/final-model.rsckpt"),
                "teacher.checkpoint=" + dir.resolve("teacher/final-model.rsckpt"));
    }

    private void trainTeacherAndStudent() throws Exception {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        SftRun.run(config(TASK + """
                job: {seed: 1}
                model: {layers: 1, heads: 2, d_model: 48, mlp_width: 96, context_length: 12}
                sft: {steps: 150, examples: 500, batch_size: 32, learning_rate: 3.0e-3, warmup_steps: 10}
                """), dir.resolve("teacher"), false, quiet);
        SftRun.run(config(TASK + """
                job: {seed: 2}
                model: {layers: 1, heads: 2, d_model: 32, mlp_width: 64, context_length: 12}
                sft: {steps: 30, examples: 200, batch_size: 32, learning_rate: 3.0e-3, warmup_steps: 5}
                """), dir.resolve("student"), false, quiet);
    }

    @Test
    void teacherRolloutAndLearnerRunInTheirOwnSlotGroupsAndBatchAssemblyInTheDefaultOne() throws Exception {
        RunConfig c = ConfigLoader.parse(TASK + "learner: {algorithm: reverse_kl}\nteacher: {checkpoint: t.rsckpt,"
                + " parallelism: 2}\nmodel: {context_length: 12}");
        PipelinePlan plan = PlanFactory.plan(c, RunPaths.under(dir, null), 12);
        assertThat(plan.slots()).isEqualTo(5); // default group, one generator, the learner, two teacher subtasks
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        RlPipelineJob.build(env, plan, PlanFactory.io(c, plan));
        StreamGraph graph = env.getStreamGraph();
        Map<String, StreamNode> byName = new HashMap<>();
        graph.getStreamNodes().forEach(n -> byName.put(n.getOperatorName(), n));
        StreamNode teacher = byName.get(TeacherScoring.UID);
        assertThat(teacher).as("teacher stage in the graph").isNotNull();
        assertThat(teacher.getSlotSharingGroup()).isEqualTo(TeacherScoring.SLOT_SHARING_GROUP);
        assertThat(teacher.getParallelism()).isEqualTo(2);
        assertThat(teacher.getTransformationUID()).isEqualTo(TeacherScoring.UID);
        assertThat(byName.get("rollout").getSlotSharingGroup()).isEqualTo(RlPipelineJob.ROLLOUT_SLOT_GROUP);
        assertThat(byName.get("batch-assembly").getSlotSharingGroup()).isEqualTo("default");
        assertThat(byName.get("learner").getSlotSharingGroup()).isEqualTo(RlPipelineJob.LEARNER_SLOT_GROUP);
        // Without distillation there is no teacher stage.
        RunConfig rl = ConfigLoader.parse(TASK + "model: {context_length: 12}");
        assertThat(PlanFactory.plan(rl, RunPaths.under(dir.resolve("rl"), null), 12)
                        .teacher())
                .isNull();
    }

    @Test
    void aShortDistillationRunLowersTheReverseKlToTheTeacher() throws Exception {
        trainTeacherAndStudent();
        PipelineRunner.Result result = LocalRun.run(distillation(), dir.resolve("run"), null, System.out);
        assertThat(result.status()).isEqualTo(JobStatus.FINISHED);

        List<JsonNode> metrics = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("run/metrics.jsonl"))) {
            metrics.add(Json.mapper().readTree(line));
        }
        assertThat(metrics)
                .extracting(m -> m.path("step").asLong())
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(metrics).allSatisfy(m -> {
            assertThat(m.has("kl_mean")).isTrue();
            assertThat(m.path("optimizer_steps").asLong())
                    .as("one optimizer step per prompt")
                    .isEqualTo(8);
        });
        double first = (metrics.get(0).path("kl_mean").asDouble()
                        + metrics.get(1).path("kl_mean").asDouble())
                / 2;
        double last = (metrics.get(8).path("kl_mean").asDouble()
                        + metrics.get(9).path("kl_mean").asDouble())
                / 2;
        System.out.printf("reverse KL: first two epochs %.4f, last two %.4f%n", first, last);
        assertThat(last).isLessThan(0.8 * first);
        // Every epoch over the 8 prompts was trained whole and logged; sigma spans the 10 epochs.
        JsonNode end = metrics.get(9);
        assertThat(end.path("epochs_completed").asLong()).isEqualTo(10);
        assertThat(end.path("kl_epoch_std").asDouble()).isPositive();
        // Each prompt came back once per epoch (none lost while its previous group was in flight).
        Map<String, Integer> admissions = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("run/rollouts.jsonl"))) {
            JsonNode g = Json.mapper().readTree(line);
            assertThat(g.has("trained_step")).as(g.toString()).isTrue();
            admissions.merge(g.path("problem_id").asText(), 1, Integer::sum);
        }
        assertThat(admissions)
                .hasSize(8)
                .allSatisfy((problem, n) -> assertThat(n).isEqualTo(10));
    }
}
