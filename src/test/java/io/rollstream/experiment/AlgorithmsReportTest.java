package io.rollstream.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading an arm back from metrics.jsonl, the table on hand-computed values, the document's marked block. */
class AlgorithmsReportTest {

    @TempDir
    Path dir;

    /** Four RL steps (after an SFT line that must be ignored), evaluated after steps 2 and 4. */
    private Path metrics(String name, double accuracy2, double accuracy4) throws Exception {
        StringBuilder s = new StringBuilder("{\"phase\":\"sft\",\"step\":0,\"loss\":1.0,\"eval_accuracy\":0.9}\n");
        double[] clipped = {0.1, 0.2, 0.3, 0.4};
        for (int step = 0; step < 4; step++) {
            s.append(String.format(
                    Locale.ROOT,
                    "{\"phase\":\"rl\",\"step\":%d,\"clipped_fraction\":%s,"
                            + "\"masked_fraction\":0.0,\"is_ratio_mean\":1.0%d,\"is_ratio_max\":%d.5,\"entropy\":%d.0,"
                            + "\"reward_mean\":0.%d,\"step_time_s\":1.5,\"learner_wait_s\":0.5%s}%n",
                    step,
                    clipped[step],
                    step,
                    step,
                    step,
                    step,
                    step == 1
                            ? ",\"eval_accuracy\":" + accuracy2
                            : step == 3 ? ",\"eval_accuracy\":" + accuracy4 : ""));
        }
        Path file = dir.resolve(name);
        Files.writeString(file, s.toString());
        return file;
    }

    @Test
    void anArmIsReadFromItsMetrics() throws Exception {
        AlgorithmArm arm = AlgorithmArm.read(
                "a",
                "A",
                List.of("learner.loss=cispo"),
                metrics("a.jsonl", 0.5, 0.75),
                12.5,
                0.4,
                "1.00 1.00 1.00 / 2.00 2.00 2.00");
        assertThat(arm.steps()).isEqualTo(4);
        assertThat(arm.accuracy())
                .containsEntry(2L, 0.5)
                .containsEntry(4L, 0.75)
                .hasSize(2); // the SFT line is not RL
        assertThat(arm.finalAccuracy()).isEqualTo(0.75);
        assertThat(arm.bestAccuracy()).isEqualTo(0.75);
        assertThat(arm.accuracyAt(3)).isEqualTo(0.5);
        assertThat(arm.accuracyAt(1)).isNaN();
        assertThat(arm.clippedFraction()).isCloseTo(0.25, within(1e-12));
        assertThat(arm.ratioMean()).isCloseTo((1.00 + 1.01 + 1.02 + 1.03) / 4, within(1e-12));
        assertThat(arm.ratioMax()).isEqualTo(3.5);
        assertThat(arm.entropyEnd()).isEqualTo(3.0); // the last tenth: the last step
        assertThat(arm.rewardEnd()).isEqualTo(0.3);
        assertThat(arm.wallSeconds()).isEqualTo(12.5);
        assertThat(arm.rlSeconds())
                .containsEntry(2L, 4.0)
                .containsEntry(4L, 8.0)
                .hasSize(2); // 2 s per step
        assertThat(arm.secondsTo(0.7)).isEqualTo(8.0);
        assertThat(arm.secondsTo(0.5)).isEqualTo(4.0);
        assertThat(arm.secondsTo(0.9)).isNaN();
        assertThat(arm.sftAccuracy()).isEqualTo(0.4);
    }

    @Test
    void armsAreParsedFromTheCommandLine() {
        AlgorithmsExperiment.Arm arm =
                AlgorithmsExperiment.Arm.parse("lr2e-4:learner.learning_rate=2e-4; learner.loss=ppo_clip");
        assertThat(arm.name()).isEqualTo("lr2e-4");
        assertThat(arm.overrides()).containsExactly("learner.learning_rate=2e-4", "learner.loss=ppo_clip");
        assertThat(AlgorithmsExperiment.Arm.parse("baseline:").overrides()).isEmpty();
        assertThatThrownBy(() -> AlgorithmsExperiment.Arm.parse("no-colon")).hasMessageContaining("name:key=value");
        assertThatThrownBy(() -> AlgorithmsExperiment.Arm.parse("a/b:x=1")).hasMessageContaining("arm name");
    }

    @Test
    void anArmThatChangesTheModelOrItsSftTrainsItsOwnStart() {
        assertThat(AlgorithmsExperiment.Arm.parse("a:learner.loss=cispo;buffer.advantage=rloo")
                        .ownSftStart())
                .isFalse();
        assertThat(AlgorithmsExperiment.Arm.parse("llama:model.architecture=llama")
                        .ownSftStart())
                .isTrue();
        assertThat(AlgorithmsExperiment.Arm.parse("sft1000:sft.steps=1000").ownSftStart())
                .isTrue();
        assertThat(AlgorithmsExperiment.Arm.parse("more:data.difficulty=3").ownSftStart())
                .isTrue();
        AlgorithmsExperiment.Arm given =
                AlgorithmsExperiment.Arm.parse("given:model.init=runs/x/final-model.rsckpt;model.architecture=llama");
        assertThat(given.ownSftStart()).isFalse(); // it names its start
        assertThat(given.init()).isEqualTo(Path.of("runs/x/final-model.rsckpt"));
        assertThat(AlgorithmsExperiment.DEFAULT_ARMS)
                .filteredOn(AlgorithmsExperiment.Arm::ownSftStart)
                .extracting(AlgorithmsExperiment.Arm::name)
                .containsExactly("llama");
    }

    @Test
    void writesTheTableThePlotAndTheDocumentsBlock() throws Exception {
        List<AlgorithmArm> arms = List.of(
                AlgorithmArm.read("dppo", "the default", List.of(), metrics("a.jsonl", 0.5, 0.75), 10, 0.4, "1 / 2"),
                AlgorithmArm.read(
                        "cispo",
                        "cispo",
                        List.of("learner.loss=cispo"),
                        metrics("b.jsonl", 0.6, 0.9),
                        11,
                        0.45,
                        "2 / 3"));
        AlgorithmsReport.Context context = new AlgorithmsReport.Context(
                "jobs/rollstream experiment algorithms", "1.00 1.00 1.00", "2.00 2.00 2.00");
        Path report = dir.resolve("report");
        String markdown = AlgorithmsReport.write(arms, context, report);
        assertThat(markdown)
                .contains(
                        "runs 4 learner steps",
                        "| `dppo` | the default | 40.0% | **75.0%** | 75.0% | – | 50.0% | 50.0% | 8 s | – | 10 s | 25.00% | 0.00%"
                                + " | 1.015 / 3.50 | 3.000 | 0.300 | 1 / 2 |",
                        "| `cispo` | cispo | 45.0% | **90.0%** | 90.0% | – | 60.0% | 60.0% | 8 s | 8 s | 11 s |",
                        "- `cispo`: `learner.loss=cispo`",
                        "](accuracy.png)",
                        "](accuracy-time.png)");
        JsonNode json = Json.mapper()
                .readTree(report.resolve(AlgorithmsReport.TABLE_JSON).toFile());
        assertThat(json.path("arms")).hasSize(2);
        assertThat(json.path("arms").get(1).path("final_accuracy").asDouble()).isEqualTo(0.9);
        assertThat(json.path("arms").get(1).path("sft_accuracy").asDouble()).isEqualTo(0.45);
        assertThat(json.path("arms").get(1).path("rl_seconds_by_step").path("4").asDouble())
                .isEqualTo(8.0);
        BufferedImage png =
                ImageIO.read(report.resolve(AlgorithmsReport.PLOT_PNG).toFile());
        assertThat(png.getWidth()).isEqualTo(900);
        assertThat(ImageIO.read(report.resolve(AlgorithmsReport.TIME_PLOT_PNG).toFile())
                        .getWidth())
                .isEqualTo(900);

        Path doc = dir.resolve("docs/algorithms.md");
        Files.createDirectories(doc.getParent());
        Files.writeString(
                doc,
                "# Algorithms\n\nintro kept\n\n" + AlgorithmsReport.BEGIN + "\nold table\n" + AlgorithmsReport.END
                        + "\n\nfindings kept\n");
        AlgorithmsReport.publish(report, doc);
        String published = Files.readString(doc);
        assertThat(published)
                .startsWith("# Algorithms\n\nintro kept\n\n")
                .endsWith("\n\nfindings kept\n")
                .doesNotContain("old table")
                .contains("| `cispo` |", "](algorithms.png)", "](algorithms-time.png)");
        assertThat(dir.resolve("docs/algorithms.png")).exists();
        assertThat(dir.resolve("docs/algorithms-time.png")).exists();
        assertThat(dir.resolve("docs/algorithms.json")).exists();
    }
}
