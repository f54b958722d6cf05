package io.rollstream.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rollstream.config.ConfigLoader;
import io.rollstream.config.RunConfig;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An arm read back from metrics.jsonl, the table and page on hand-computed values, the plots. */
class OversamplingReportTest {

    @TempDir
    Path dir;

    /** Four steps of 1 s training each after {@code wait} s of waiting; 8 trained, 10 scored per step. */
    private Path metrics(String name, double wait, long stale) throws Exception {
        StringBuilder s = new StringBuilder("{\"phase\":\"sft\",\"step\":0,\"loss\":1.0}\n");
        for (int i = 0; i < 4; i++) {
            s.append(String.format(
                    Locale.ROOT,
                    "{\"phase\":\"rl\",\"step\":%d,\"step_time_s\":1.0,\"learner_wait_s\":%s,"
                            + "\"staleness_mean\":0.5,\"total_groups_scored\":%d,\"total_groups_trained\":%d,"
                            + "\"total_groups_dropped_zero_advantage\":%d,\"total_groups_dropped_difficulty\":0,"
                            + "\"total_groups_dropped_length\":0,\"total_groups_dropped_stale\":%d,"
                            + "\"total_rollout_tokens_per_trained_token\":1.25%s}%n",
                    i,
                    wait,
                    10 * (i + 1),
                    8 * (i + 1),
                    2 * (i + 1) - (i == 3 ? stale : 0),
                    i == 3 ? stale : 0,
                    i == 3 ? ",\"eval_accuracy\":0.5" : ""));
        }
        Path file = dir.resolve(name);
        Files.writeString(file, s.toString());
        return file;
    }

    @Test
    void anArmIsReadFromTheLastStepsTotalsAndTheLearnersTime() throws Exception {
        OversamplingArm arm = OversamplingArm.read("o = 2.0", metrics("m.jsonl", 1.0, 1), "1.0 0.9 0.8", "1.1 1 0.9");
        assertThat(arm.steps()).isEqualTo(4);
        assertThat(arm.waitFraction()).isCloseTo(0.5, within(1e-12)); // 4 s waiting, 4 s training
        assertThat(arm.stepsPerMinute()).isCloseTo(30, within(1e-9)); // 4 steps in 8 s
        assertThat(arm.scored()).isEqualTo(40);
        assertThat(arm.trained()).isEqualTo(32);
        assertThat(arm.filtered()).isEqualTo(7);
        assertThat(arm.stale()).isEqualTo(1);
        assertThat(arm.staleRate()).isEqualTo(0.025);
        assertThat(arm.heldOutAccuracy()).isEqualTo(0.5);
        assertThat(arm.learnerTimeline()).containsExactly(2.0, 4.0, 6.0, 8.0);
        assertThatThrownBy(() -> OversamplingArm.read("x", dir.resolve("none.jsonl"), "", ""))
                .isInstanceOf(IOException.class);
        assertThat(OversamplingArm.finished(dir.resolve("m.jsonl"), 4))
                .as("4 steps: read back, not run again")
                .isTrue();
        assertThat(OversamplingArm.finished(dir.resolve("m.jsonl"), 5)).isFalse();
        assertThat(OversamplingArm.finished(dir.resolve("none.jsonl"), 1)).isFalse();
    }

    @Test
    void theTableThePlotsAndThePageCarryTheMeasuredNumbers() throws Exception {
        List<OversamplingArm> arms = new ArrayList<>();
        double[] waits = {2.0, 1.0, 0.5, 0.5, 0.5};
        for (int i = 0; i < waits.length; i++) {
            arms.add(OversamplingArm.read(
                    OversamplingExperiment.ARMS.get(i).name(),
                    metrics("m" + i, waits[i], 0),
                    "0.5 0.5 0.5",
                    "0.6 0.5 0.5"));
        }
        String table = OversamplingReport.write(arms, dir.resolve("out"));
        assertThat(table)
                .contains("| o = 1.0 | 66.7% | 2.000 s | 1.000 s | 20.0 | 40 | 32 | 8 (20.0%) | 0 (0.00%)"
                        + " | 1.25 | 0.50 | 50.0% | 0.5 0.5 0.5 → 0.6 0.5 0.5 |");
        for (String png : List.of(OversamplingReport.STEPS_PNG, OversamplingReport.GROUPS_PNG)) {
            BufferedImage image = ImageIO.read(dir.resolve("out").resolve(png).toFile());
            assertThat(image).as(png).isNotNull();
        }
        RunConfig config = ConfigLoader.load(Path.of("configs/oversampling.yaml"));
        String page =
                OversamplingExperiment.page(arms, config, 4, Path.of("configs/oversampling.yaml"), "oversampling");
        assertThat(page)
                .contains(
                        table,
                        "oversampling/learner-steps.png",
                        "oversampling/groups.png",
                        "o = 2.0 left the learner waiting 33.3% of its time against 66.7% at o = 1.0 (less): 0.500 s"
                                + " against 2.000 s per step",
                        "The control without oversampling",
                        "Stale drops: none, in any arm",
                        "max_off_policy_steps` 2");
        assertThat(OversamplingExperiment.figuresDir(Path.of("docs/oversampling.md")))
                .isEqualTo(Path.of("docs/oversampling"));
    }
}
