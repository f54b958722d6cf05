package io.rollstream.teacher;

import static io.rollstream.teacher.TeacherFixtures.CONTEXT;
import static io.rollstream.teacher.TeacherFixtures.TOKENIZER;
import static io.rollstream.teacher.TeacherFixtures.checkpoint;
import static io.rollstream.teacher.TeacherFixtures.groupSampledBy;
import static io.rollstream.teacher.TeacherFixtures.model;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.device.DeviceSetting;
import io.rollstream.device.Placement;
import io.rollstream.model.GptModel;
import io.rollstream.model.ModelSource;
import io.rollstream.testing.NativeArrays;
import io.rollstream.types.ScoredGroup;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The teacher-scoring stage in Flink's operator harness: loads the checkpoint file, scores, frees it. */
@Tag("djl")
class TeacherScoringOperatorTest {

    @TempDir
    Path dir;

    private static OneInputStreamOperatorTestHarness<ScoredGroup, ScoredGroup> harness(TeacherSettings settings)
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new StreamMap<>(new TeacherScoring(settings)));
    }

    private TeacherSettings settings(String checkpoint) {
        return new TeacherSettings(ModelSource.BUILTIN, checkpoint, 1, TOKENIZER, CONTEXT, DeviceSetting.CPU, 4, null);
    }

    @Test
    void addsTheTeachersPerTokenRewardsToEveryRolloutOfEachGroup() throws Exception {
        Path file = dir.resolve("teacher.rsckpt");
        try (GptModel student = model(11, 16);
                GptModel teacher = model(12, 32)) {
            CheckpointFormat.save(checkpoint(teacher), file);
            List<ScoredGroup> in = List.of(groupSampledBy(student, 3, 1), groupSampledBy(student, 6, 2));
            int live = NativeArrays.live();
            List<ScoredGroup> out;
            try (var h = harness(settings(file.toString()))) {
                h.open();
                for (ScoredGroup g : in) {
                    h.processElement(g, 0);
                }
                out = h.extractOutputValues();
            }
            assertThat(NativeArrays.live()).as("close() freed the teacher").isEqualTo(live);
            assertThat(out).hasSize(2);
            try (TeacherScorer reference =
                    TeacherScorer.load(checkpoint(teacher), TOKENIZER, CONTEXT, Placement.cpu(), 8)) {
                for (int g = 0; g < 2; g++) {
                    ScoredGroup expected = reference.score(in.get(g));
                    for (int i = 0; i < expected.rollouts().length; i++) {
                        assertThat(out.get(g).rollouts()[i].tokenRewards())
                                .isNotNull()
                                .containsExactly(expected.rollouts()[i].tokenRewards(), Assertions.within(1e-6f));
                    }
                }
            }
        }
    }

    @Test
    void aMissingTeacherCheckpointFailsOpenNamingTheKey() throws Exception {
        String missing = dir.resolve("no-such-teacher.rsckpt").toString();
        try (var h = harness(settings(missing))) {
            assertThatThrownBy(h::open)
                    .hasMessageContaining("teacher.checkpoint")
                    .hasMessageContaining(missing);
        }
    }
}
