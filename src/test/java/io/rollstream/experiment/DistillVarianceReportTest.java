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

/** Reading an arm back from metrics.jsonl, the table's columns on hand-computed values, and the plot file. */
class DistillVarianceReportTest {

    @TempDir
    Path dir;

    /** Three one-epoch steps of 10 groups with KL 4, 3, 1 (plus an SFT line that must be ignored). */
    private Path metrics(String name, double... epochKl) throws Exception {
        StringBuilder s = new StringBuilder("{\"phase\":\"sft\",\"step\":0,\"loss\":1.0}\n");
        for (int e = 0; e < epochKl.length; e++) {
            s.append(String.format(
                    Locale.ROOT,
                    "{\"phase\":\"rl\",\"step\":%d,\"groups_trained\":10,\"optimizer_steps\":10,\"kl_mean\":%s,"
                            + "\"epochs_completed_now\":[{\"epoch\":%d,\"kl_mean\":%s}],\"kl_epoch_std\":0.5%s}%n",
                    e,
                    epochKl[e],
                    e,
                    epochKl[e],
                    e == epochKl.length - 1 ? ",\"eval_accuracy\":0.25" : ""));
        }
        Path file = dir.resolve(name);
        Files.writeString(file, s.toString());
        return file;
    }

    @Test
    void anArmsColumnsComeFromItsPerEpochKl() throws Exception {
        DistillationArm arm = DistillationArm.read(4, 7, metrics("m.jsonl", 4, 3, 1));
        assertThat(arm.sequences()).isEqualTo(3 * 10 * 4);
        assertThat(arm.optimizerSteps()).isEqualTo(30);
        assertThat(arm.klStart()).isEqualTo(4.0);
        assertThat(arm.klEnd()).isEqualTo(1.0);
        assertThat(arm.klReductionPercent()).isCloseTo(75.0, within(1e-9));
        // mean 8/3; squares (4/3)² + (1/3)² + (5/3)² = 42/9 → σ = √(42/27)
        assertThat(arm.klEpochStd()).isCloseTo(Math.sqrt(42.0 / 27), within(1e-9));
        // changes −1, −2: mean −1.5, σ 0.5
        assertThat(arm.klStepChangeStd()).isCloseTo(0.5, within(1e-9));
        // KL ≈ 4.159510·exp(−0.524933·e), least squares in KL units (scipy.optimize.least_squares)
        assertThat(arm.exponentialFit()).containsExactly(new double[] {4.159510292, -0.524933274}, within(1e-7));
        assertThat(arm.klResidualStd()).isCloseTo(0.417146716, within(1e-8));
        // along the trend: 1 − exp(2b)
        assertThat(arm.klTrendReductionPercent()).isCloseTo(65.001555, within(1e-5));
        assertThat(arm.seed()).isEqualTo(7);
        assertThat(arm.loggedEpochStd()).isEqualTo(0.5);
        assertThat(arm.heldOutAccuracy()).isEqualTo(0.25);
    }

    /** Near convergence a sampled per-epoch KL can come out below zero: the trend is still fitted. */
    @Test
    void theTrendIsFittedThroughEpochsAtOrBelowZero() throws Exception {
        DistillationArm arm = DistillationArm.read(
                1, 1, metrics("n.jsonl", 0.889, 0.383, 0.339, 0.633, -0.037, -0.026, 0.565, 0.243));
        // scipy.optimize.least_squares on c·exp(b·e): c 0.735302, b −0.248205, residual σ 0.243899
        assertThat(arm.exponentialFit()).containsExactly(new double[] {0.735301581, -0.248205056}, within(1e-7));
        assertThat(arm.klResidualStd()).isCloseTo(0.243898869, within(1e-8));
        // first to last epoch 72.7%; along the trend 1 − exp(7b)
        assertThat(arm.klTrendReductionPercent()).isCloseTo(82.402888, within(1e-5));
    }

    @Test
    void aRunWithoutEpochsIsRefused() throws Exception {
        Path file = dir.resolve("rl.jsonl");
        Files.writeString(file, "{\"phase\":\"rl\",\"step\":0,\"groups_trained\":4}\n");
        assertThatThrownBy(() -> DistillationArm.read(1, 0, file)).hasMessageContaining("no completed epoch");
    }

    /** Mean ± sample std over seeds, and Welch's t between rows. */
    @Test
    void aRowSummarisesItsSeeds() throws Exception {
        DistillationRow row = new DistillationRow(
                1,
                List.of(
                        DistillationArm.read(1, 1, metrics("a.jsonl", 4, 3, 1)),
                        DistillationArm.read(1, 2, metrics("b.jsonl", 4, 3.5, 3))));
        // reductions 75% and 25%: mean 50, sample std √((25² + 25²) / 1) = 35.355
        assertThat(row.klReductionPercent().mean()).isCloseTo(50, within(1e-9));
        assertThat(row.klReductionPercent().std()).isCloseTo(Math.sqrt(1250), within(1e-9));
        assertThat(row.klPerEpoch().get(1L).mean()).isCloseTo(3.25, within(1e-12));
        DistillationRow.Spread a = new DistillationRow.Spread(1.0, 0.2, 5);
        DistillationRow.Spread b = new DistillationRow.Spread(0.5, 0.1, 5);
        // (1 − 0.5) / √(0.04/5 + 0.01/5) = 0.5 / 0.1 = 5
        assertThat(a.t(b)).isCloseTo(5.0, within(1e-9));
    }

    @Test
    void writesTheTableAsMarkdownAndJsonAndThePlotAsAPng() throws Exception {
        List<DistillationRow> rows = List.of(
                new DistillationRow(
                        1,
                        List.of(
                                DistillationArm.read(1, 1, metrics("a.jsonl", 4, 3, 1)),
                                DistillationArm.read(1, 2, metrics("a2.jsonl", 4, 2, 1)))),
                new DistillationRow(
                        4,
                        List.of(
                                DistillationArm.read(4, 1, metrics("b.jsonl", 4, 3.5, 3)),
                                DistillationArm.read(4, 2, metrics("b2.jsonl", 4, 3.5, 3)))));
        Path out = dir.resolve("report");
        String markdown = DistillVarianceReport.write(rows, out);
        assertThat(markdown).isEqualTo(Files.readString(out.resolve(DistillVarianceReport.TABLE_MD)));
        assertThat(markdown.lines()).hasSize(4);
        assertThat(markdown)
                .contains(
                        "| 1 | 2 | 30 | 30 | 4.000 ± 0.000 | 1.000 ± 0.000 | 75.0 ± 0.0% |",
                        "| 4 | 2 | 120 | 30 | 4.000 ± 0.000 | 3.000 ± 0.000 | 25.0 ± 0.0% |");
        JsonNode json = Json.mapper()
                .readTree(out.resolve(DistillVarianceReport.TABLE_JSON).toFile());
        assertThat(json).hasSize(2);
        assertThat(json.get(1).path("runs")).hasSize(2);
        assertThat(json.get(1).path("runs").get(0).path("kl_per_epoch")).hasSize(3);
        assertThat(json.get(1).path("total_sequences").asLong()).isEqualTo(120);
        assertThat(json.get(1).path("kl_residual_std").path("mean").asDouble())
                .isCloseTo(0.016806955, within(1e-8)); // scipy least_squares on 4, 3.5, 3
        assertThat(json.get(1).has("kl_residual_std_welch_t_vs_first_row")).isTrue();
        BufferedImage png =
                ImageIO.read(out.resolve(DistillVarianceReport.PLOT_PNG).toFile());
        assertThat(png.getWidth()).isEqualTo(900);
        assertThat(png.getHeight()).isEqualTo(540);
    }
}
