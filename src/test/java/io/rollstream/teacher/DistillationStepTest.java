package io.rollstream.teacher;

import static io.rollstream.teacher.TeacherFixtures.CONTEXT;
import static io.rollstream.teacher.TeacherFixtures.PAD;
import static io.rollstream.teacher.TeacherFixtures.TOKENIZER;
import static io.rollstream.teacher.TeacherFixtures.checkpoint;
import static io.rollstream.teacher.TeacherFixtures.groupSampledBy;
import static io.rollstream.teacher.TeacherFixtures.model;
import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.device.Placement;
import io.rollstream.learner.AdamW;
import io.rollstream.learner.KlSums;
import io.rollstream.learner.PolicyTrainer;
import io.rollstream.learner.ReverseKlLoss;
import io.rollstream.learner.StepResult;
import io.rollstream.learner.TrainingExample;
import io.rollstream.model.GptModel;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Teacher scoring feeding the reverse-KL learner step, without Flink. */
@Tag("djl")
class DistillationStepTest {

    private static List<TrainingExample> examples(ScoredGroup scored) {
        List<TrainingExample> out = new ArrayList<>();
        for (Rollout r : scored.rollouts()) {
            out.add(new TrainingExample(
                    scored.promptTokens(), r.tokens(), r.tokenRewards(), r.logprobs(), scored.groupId()));
        }
        return out;
    }

    private static PolicyTrainer trainer(GptModel student) {
        return new PolicyTrainer(
                student,
                new AdamW(new AdamW.Config(1e-2, 0.9, 0.99, 1e-8, 0, 0), student.parameters()),
                new PolicyTrainer.Config(1.0, 8, 1.0, PolicyTrainer.OptimizerStep.PER_PROMPT),
                PAD);
    }

    @Test
    void aStudentEqualToItsTeacherGetsZeroKlAndZeroGradient() {
        try (GptModel student = model(21, 16)) {
            ScoredGroup group = groupSampledBy(student, 6, 4);
            ScoredGroup scored;
            try (TeacherScorer teacher =
                    TeacherScorer.load(checkpoint(student), TOKENIZER, CONTEXT, Placement.cpu(), 8)) {
                scored = teacher.score(group);
            }
            double kl = 0;
            for (Rollout r : scored.rollouts()) {
                kl += Math.abs(KlSums.of(r).sum());
            }
            assertThat(kl).isZero();
            PolicyTrainer trainer = trainer(student);
            Map<String, float[]> before = student.weights();
            StepResult result = trainer.step(examples(scored), new ReverseKlLoss());
            assertThat(result.gradNorm()).isZero();
            assertThat(result.skippedZeroGradient()).isEqualTo(1);
            assertThat(result.optimizerSteps()).isZero();
            student.weights().forEach((name, w) -> assertThat(w).as(name).containsExactly(before.get(name)));
        }
    }
}
