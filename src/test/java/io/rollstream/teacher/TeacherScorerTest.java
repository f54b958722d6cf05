package io.rollstream.teacher;

import static io.rollstream.teacher.TeacherFixtures.CONTEXT;
import static io.rollstream.teacher.TeacherFixtures.PAD;
import static io.rollstream.teacher.TeacherFixtures.PROMPT;
import static io.rollstream.teacher.TeacherFixtures.TOKENIZER;
import static io.rollstream.teacher.TeacherFixtures.checkpoint;
import static io.rollstream.teacher.TeacherFixtures.groupSampledBy;
import static io.rollstream.teacher.TeacherFixtures.model;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rollstream.device.Placement;
import io.rollstream.model.GptModel;
import io.rollstream.model.TokenLogprobs;
import io.rollstream.testing.NativeArrays;
import io.rollstream.tokenizer.TokenizerSpec;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("djl")
class TeacherScorerTest {

    @Test
    void tokenRewardIsTeacherMinusStudentLogprob() {
        // Token 0: the teacher likes it more (ln 0.5 vs ln 0.25) -> +ln 2; token 1: less -> −ln 4; token 2: equal -> 0.
        float[] teacher = {(float) Math.log(0.5), (float) Math.log(0.1), (float) Math.log(0.3)};
        float[] student = {(float) Math.log(0.25), (float) Math.log(0.4), (float) Math.log(0.3)};
        float[] reward = TeacherScorer.tokenRewards(teacher, student);
        assertThat(reward[0]).isCloseTo((float) Math.log(2), within(1e-6f));
        assertThat(reward[1]).isCloseTo((float) -Math.log(4), within(1e-6f));
        assertThat(reward[2]).isZero();
        assertThatThrownBy(() -> TeacherScorer.tokenRewards(new float[2], new float[3]))
                .hasMessageContaining("2 tokens")
                .hasMessageContaining("3");
    }

    @Test
    void rewardsAreTheTeachersLogprobsOfTheSampledTokensMinusTheBehaviourLogprobs() {
        try (GptModel student = model(1, 16);
                GptModel teacherModel = model(2, 32)) {
            ScoredGroup group = groupSampledBy(student, 5, 7);
            List<int[]> completions =
                    Arrays.stream(group.rollouts()).map(Rollout::tokens).toList();
            float[][] teacherLogprobs =
                    TokenLogprobs.score(teacherModel, Collections.nCopies(5, PROMPT), completions, PAD, 1.0);
            for (int maxRows : new int[] {1, 2, 8}) {
                try (TeacherScorer scorer =
                        TeacherScorer.load(checkpoint(teacherModel), TOKENIZER, CONTEXT, Placement.cpu(), maxRows)) {
                    ScoredGroup scored = scorer.score(group);
                    assertThat(scored.groupId()).isEqualTo(group.groupId());
                    assertThat(scored.policyVersion()).isEqualTo(group.policyVersion());
                    double totalAbs = 0;
                    for (int i = 0; i < 5; i++) {
                        Rollout before = group.rollouts()[i];
                        Rollout after = scored.rollouts()[i];
                        assertThat(after.tokens()).isEqualTo(before.tokens());
                        assertThat(after.logprobs()).isEqualTo(before.logprobs());
                        for (int t = 0; t < before.tokens().length; t++) {
                            float expected = teacherLogprobs[i][t] - before.logprobs()[t];
                            assertThat(after.tokenRewards()[t])
                                    .as("rows %d, rollout %d, token %d", maxRows, i, t)
                                    .isCloseTo(expected, within(1e-5f));
                            totalAbs += Math.abs(expected);
                        }
                    }
                    assertThat(totalAbs).as("two different models disagree").isGreaterThan(0.1);
                }
            }
        }
    }

    @Test
    void aTeacherIdenticalToTheStudentGivesZeroReverseKl() {
        try (GptModel student = model(3, 16)) {
            ScoredGroup group = groupSampledBy(student, 4, 9);
            try (TeacherScorer scorer =
                    TeacherScorer.load(checkpoint(student), TOKENIZER, CONTEXT, Placement.cpu(), 8)) {
                for (Rollout r : scorer.score(group).rollouts()) {
                    assertThat(r.tokenRewards()).hasSameSizeAs(r.tokens());
                    for (float reward : r.tokenRewards()) {
                        assertThat(reward).isCloseTo(0f, within(1e-6f));
                    }
                }
            }
        }
    }

    @Test
    void refusesATeacherWithAnotherTokenizerOrAShorterContext() {
        try (GptModel teacher = model(4, 16)) {
            assertThatThrownBy(() -> TeacherScorer.load(
                            checkpoint(teacher), TokenizerSpec.chars("abcdefghj"), CONTEXT, Placement.cpu(), 8))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("the teacher uses tokenizer")
                    .hasMessageContaining("student");
            assertThatThrownBy(
                            () -> TeacherScorer.load(checkpoint(teacher), TOKENIZER, CONTEXT + 1, Placement.cpu(), 8))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("context_length " + CONTEXT)
                    .hasMessageContaining("model.context_length >= " + (CONTEXT + 1));
        }
    }

    @Test
    void scoringLeavesNoNativeArraysBehindAndCloseFreesTheTeacher() {
        try (GptModel student = model(5, 16);
                GptModel teacherModel = model(6, 16)) {
            ScoredGroup group = groupSampledBy(student, 4, 3);
            int before = NativeArrays.live();
            TeacherScorer scorer = TeacherScorer.load(checkpoint(teacherModel), TOKENIZER, CONTEXT, Placement.cpu(), 2);
            scorer.score(group);
            int loaded = NativeArrays.live();
            assertThat(loaded).isGreaterThan(before);
            for (int i = 0; i < 50; i++) {
                scorer.score(group);
            }
            assertThat(NativeArrays.live()).isEqualTo(loaded);
            scorer.close();
            assertThat(NativeArrays.live()).isEqualTo(before);
        }
    }
}
