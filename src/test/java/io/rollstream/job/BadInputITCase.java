package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.device.Placement;
import io.rollstream.model.GptModel;
import io.rollstream.model.ModelConfig;
import io.rollstream.rollout.ModelGroupSampler;
import io.rollstream.rollout.Oversampling;
import io.rollstream.sampling.SamplingConfig;
import io.rollstream.source.FieldMapping;
import io.rollstream.source.JsonlProblems;
import io.rollstream.source.JsonlSpec;
import io.rollstream.source.ProblemValidator;
import io.rollstream.tasks.Verifier;
import io.rollstream.tasks.Verifiers;
import io.rollstream.tokenizer.CharTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input corpus ({@link BadInputCorpus}) through the whole job: every bad record is counted
 * once in invalid-records.jsonl with its reason, the valid ones are generated, and the job runs to
 * the end of its input.
 */
@Tag("djl")
class BadInputITCase {

    @TempDir
    Path runDir;

    /** Exact match, except that it throws on one answer (a broken reward function). */
    static final class ThrowingVerifier implements Verifier {
        private final Verifier exact = Verifiers.byName("exact_match");

        @Override
        public double score(String completion, String answer) {
            if (answer.equals(BadInputCorpus.THROWING_ANSWER)) {
                throw new IllegalStateException("reward function crashed");
            }
            return exact.score(completion, answer);
        }

        @Override
        public String name() {
            return "throwing";
        }
    }

    @Test
    void everyBadRecordIsCountedWithItsReasonAndTheJobGoesOn() throws Exception {
        Path data = BadInputCorpus.write(runDir.resolve("data"));
        // JSONL: a repeated record is the same problem again, so the rollout stage keeps its state
        PipelineFixtures.Knobs knobs =
                new PipelineFixtures.Knobs(1, 16, 2.0, 1, 2, 1000, null, null, true, Oversampling.FIXED);
        PipelinePlan fixture = PipelineFixtures.planOnly(runDir, knobs);
        CharTokenizer tokenizer = new CharTokenizer("0123456789+=");
        ProblemValidator validator = new ProblemValidator(tokenizer.spec(), 12, 100, Set.of(PlanFactory.JSONL_TASK));
        PipelinePlan plan = new PipelinePlan(
                fixture.jobName(),
                1,
                fixture.rollout(),
                fixture.batch(),
                fixture.learner(),
                null,
                null,
                validator,
                fixture.store(),
                fixture.rolloutLog(),
                fixture.paths(),
                null);
        try (GptModel fresh = GptModel.initialize(
                new ModelConfig(tokenizer.vocabSize(), 1, 2, 32, 64, 12, ModelConfig.Positions.LEARNED),
                5,
                Device.cpu())) {
            plan.store()
                    .publish(
                            new Checkpoint(0, fresh.config(), tokenizer.spec(), fresh.weights(), null, Map.of()),
                            "init");
        }
        JsonlSpec spec = new JsonlSpec(
                data.toString(), false, 1, new FieldMapping("id", "prompt", "answer", "task"), PlanFactory.JSONL_TASK);
        Verifier verifier = new ThrowingVerifier();
        var store = plan.store();
        PipelineIo io = new PipelineIo(
                env -> PipelineIo.ProblemInput.of(JsonlProblems.stream(env, spec)),
                (subtask, gpus) -> new ModelGroupSampler(
                        store, verifier, SamplingConfig.sample(4), PipelineFixtures.G, 64, 11, Placement.cpu()));

        PipelineRunner.Result result = PipelineRunner.run(
                plan,
                io,
                PipelineRunner.Settings.inRunDirectory(false, 0, plan.slots(), 500, null, 3),
                System.out::println);

        assertThat(result.status()).isEqualTo(JobStatus.FINISHED);
        List<JsonNode> invalid = RunInvariants.lines(runDir.resolve("invalid-records.jsonl"));
        assertThat(invalid).as("one line per bad record").hasSize(BadInputCorpus.EXPECTED_REASONS.size());
        BadInputCorpus.EXPECTED_REASONS.forEach((name, phrase) -> assertThat(invalid)
                .as(name)
                .filteredOn(r -> r.path("reason").asText().contains(phrase))
                .hasSize(1));
        assertThat(invalid)
                .allSatisfy(r -> assertThat(r.path("record").asText().length()).isLessThan(2100));
        assertThat(invalid)
                .filteredOn(r -> !r.path("reason").asText().contains("the verifier threw"))
                .as("every refusal of a record names the file and line it was read from")
                .allSatisfy(r -> assertThat(r.path("source").asText()).matches("file:.*/problems\\.jsonl:\\d+"));
        assertThat(invalid)
                .filteredOn(r -> r.path("reason").asText().startsWith("duplicate_id"))
                .extracting(r -> r.path("reason").asText())
                .allSatisfy(reason -> assertThat(reason).contains("problems.jsonl:2 ")); // ok1 is on line 2
        List<JsonNode> groups = RunInvariants.lines(runDir.resolve("rollouts.jsonl"));
        assertThat(groups)
                .as("every valid line generated once: a repeated problem comes back, a duplicate id not")
                .hasSize(BadInputCorpus.VALID_LINES);
        assertThat(groups).extracting(g -> g.path("group_id").asText()).doesNotHaveDuplicates();
        assertThat(groups)
                .extracting(g -> g.path("problem_id").asText())
                .filteredOn("ok2"::equals)
                .hasSize(2);
        assertThat(groups)
                .filteredOn(g -> "ok1".equals(g.path("problem_id").asText()))
                .extracting(g -> g.path("prompt").asText())
                .as("the first ok1, never the duplicate")
                .containsExactly("1+0=");
        assertThat(groups)
                .filteredOn(g -> "scoring_failed".equals(g.path("dropped").asText()))
                .extracting(g -> g.path("problem_id").asText())
                .containsExactly("throws");
        JsonNode failed = groups.stream()
                .filter(g -> "throws".equals(g.path("problem_id").asText()))
                .findFirst()
                .orElseThrow();
        assertThat(failed.path("answer").asText()).isEqualTo(BadInputCorpus.THROWING_ANSWER);
        assertThat(failed.path("finish_reasons"))
                .extracting(JsonNode::asText)
                .as("the error after the reason")
                .allMatch(r -> r.equals("scoring_failed: IllegalStateException: reward function crashed"));
        assertThat(groups).as("every group carries its problem's answer").allMatch(g -> g.hasNonNull("answer"));
    }
}
