package io.rollstream.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rollstream.common.Json;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

/** Reading an arm back from metrics.jsonl, the table's columns on hand-computed values, and the plot file. */
class DistillVarianceReportTest {

    @TempDir
    Path dir;

    /** Three one-epoch steps of 10 groups with KL 4, 3, 1 (plus an SFT line that must be ignored). */
    private Path metrics(String name, double... epochKl) throws Exception {
        StringBuilder s = new StringBuilder("{\"phase\":\"sft\",\"step\":0,\"loss\":1.0}\n");
        for (int e = 0; e < epochKl.length; e++) {
            s.append(String.format(java.util.Locale.ROOT,
                    "{\"phase\":\"rl\",\"step\":%d,\"groups_trained\":10,\"optimizer_steps\":10,\"kl_mean\":%s,"
                            + "\"epochs_completed_now\":[{\"epoch\":%d,\"kl_mean\":%s}],\"kl_epoch_std\":0.5%s}%n",
                    e, epochKl[e], e, epochKl[e], e == epochKl.length - 1 ? ",\"eval_accuracy\":0.25" : ""));
        }
        Path file = dir.resolve(name);
        Files.writeString(file, s.toString());
        return file;
    }

    @Test
    void anArmsColumnsComeFromItsPerEpochKl() throws Exception {
        DistillationArm arm = DistillationArm.read(4, metrics("m.jsonl", 4, 3, 1));
        assertThat(arm.sequences()).isEqualTo(3 * 10 * 4);
        assertThat(arm.optimizerSteps()).isEqualTo(30);
        assertThat(arm.klStart()).isEqualTo(4.0);
        assertThat(arm.klEnd()).isEqualTo(1.0);
        assertThat(arm.klReductionPercent()).isCloseTo(75.0, within(1e-9));
        // mean 8/3; squares (4/3)² + (1/3)² + (5/3)² = 42/9 → σ = √(42/27)
        assertThat(arm.klEpochStd()).isCloseTo(Math.sqrt(42.0 / 27), within(1e-9));
        // changes −1, −2: mean −1.5, σ 0.5
        assertThat(arm.klStepChangeStd()).isCloseTo(0.5, within(1e-9));
        assertThat(arm.loggedEpochStd()).isEqualTo(0.5);
        assertThat(arm.heldOutAccuracy()).isEqualTo(0.25);
    }

    @Test
    void aRunWithoutEpochsIsRefused() throws Exception {
        Path file = dir.resolve("rl.jsonl");
        Files.writeString(file, "{\"phase\":\"rl\",\"step\":0,\"groups_trained\":4}\n");
        assertThatThrownBy(() -> DistillationArm.read(1, file)).hasMessageContaining("no completed epoch");
    }

    @Test
    void writesTheTableAsMarkdownAndJsonAndThePlotAsAPng() throws Exception {
        List<DistillationArm> arms = List.of(DistillationArm.read(1, metrics("a.jsonl", 4, 3, 1)),
                DistillationArm.read(4, metrics("b.jsonl", 4, 3.5, 3)));
        Path out = dir.resolve("report");
        String markdown = DistillVarianceReport.write(arms, out);
        assertThat(markdown).isEqualTo(Files.readString(out.resolve(DistillVarianceReport.TABLE_MD)));
        assertThat(markdown.lines()).hasSize(4);
        assertThat(markdown).contains("| 1 | 30 | 30 | 4.0000 | 1.0000 | 75.0% |", "| 4 | 120 | 30 | 4.0000 | 3.0000 | 25.0% |");
        // σ of the second arm relative to the first: √(0.1667)/√(1.5556) − 1 = −67%
        assertThat(markdown).contains("| -67% |");
        JsonNode json = Json.mapper().readTree(out.resolve(DistillVarianceReport.TABLE_JSON).toFile());
        assertThat(json).hasSize(2);
        assertThat(json.get(1).path("kl_per_epoch")).hasSize(3);
        assertThat(json.get(1).path("total_sequences").asLong()).isEqualTo(120);
        BufferedImage png = ImageIO.read(out.resolve(DistillVarianceReport.PLOT_PNG).toFile());
        assertThat(png.getWidth()).isEqualTo(900);
        assertThat(png.getHeight()).isEqualTo(540);
    }
}
