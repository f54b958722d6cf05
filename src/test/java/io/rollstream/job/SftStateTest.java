package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.OptimizerState;
import io.rollstream.config.ConfigLoader;
import io.rollstream.config.RunConfig;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.ParameterLayout;
import io.rollstream.policy.PolicyStore;
import io.rollstream.tokenizer.TokenizerSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm start's saved state in the run directory (checksummed, atomic, tied to its settings and
 * to the length metrics.jsonl had), the stop handshake, and what {@code --resume-from RUN_DIR}
 * continues in each phase of a run.
 */
class SftStateTest {

    private static final ModelConfig MODEL = new ModelConfig(6, 1, 1, 4, 4, 8, ModelConfig.Positions.LEARNED);
    private static final RunConfig CONFIG = ConfigLoader.parse("job: {name: t}\nsft: {steps: 20}\n");

    @TempDir
    Path dir;

    private static Checkpoint state(long step) {
        Map<String, float[]> weights = new LinkedHashMap<>();
        Map<String, float[]> moments = new LinkedHashMap<>();
        ParameterLayout.shapes(MODEL).forEach((name, shape) -> {
            weights.put(name, new float[(int) shape.size()]);
            moments.put(name, new float[(int) shape.size()]);
        });
        return new Checkpoint(
                step,
                MODEL,
                TokenizerSpec.chars("abc"),
                weights,
                new OptimizerState(step, moments, moments),
                Map.of(WarmStart.STEP, Long.toString(step), WarmStart.DRAWS, Long.toString(step * 64)));
    }

    @Test
    void theSavedStateRecordsTheMetricsLengthAndIsRefusedWithOtherSettings() throws Exception {
        RunPaths paths = RunPaths.under(dir, null);
        SftState sft = new SftState(paths, SftState.settingsOf(CONFIG));
        assertThat(sft.load()).isEmpty();
        Files.writeString(paths.metrics(), "{\"phase\":\"sft\",\"step\":0}\n");
        sft.save(state(1));
        Files.writeString(paths.sft().resolve(".state.rsckpt123.tmp"), "a save cut short by a kill");
        Checkpoint loaded = sft.load().orElseThrow();
        assertThat(loaded.step()).isEqualTo(1);
        assertThat(SftState.metricsBytes(loaded)).isEqualTo(Files.size(paths.metrics()));
        try (var files = Files.list(paths.sft())) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly(SftState.STATE);
        }
        RunConfig otherSeed = ConfigLoader.parse("job: {name: t, seed: 9}\nsft: {steps: 20}\n");
        assertThatThrownBy(() -> new SftState(paths, SftState.settingsOf(otherSeed)).load())
                .hasMessageContaining("seed=9")
                .hasMessageContaining("resume with the run's own config.yaml");
        byte[] bytes = Files.readAllBytes(sft.stateFile());
        bytes[bytes.length / 2] ^= 1;
        Files.write(sft.stateFile(), bytes);
        assertThatThrownBy(sft::load).hasMessageContaining("checksum").hasMessageContaining("delete");
    }

    @Test
    void aStopIsRequestedWhileTheWarmStartRunsAndAStaleRequestIsWithdrawnByTheNextStart() throws Exception {
        SftState sft = new SftState(RunPaths.under(dir, null), null);
        assertThat(sft.isRunning()).isFalse();
        sft.requestStop();
        sft.markRunning();
        assertThat(sft.stopRequested()).as("left over from an earlier attempt").isFalse();
        assertThat(sft.isRunning()).isTrue();
        assertThat(RunControl.inWarmStart(dir)).isTrue();
        sft.requestStop();
        assertThat(sft.stopRequested()).isTrue();
        sft.clearRunning();
        assertThat(sft.isRunning()).isFalse();
        assertThat(sft.stopRequested()).isFalse();
        Files.writeString(dir.resolve("sft").resolve(SftState.RUNNING), "{\"pid\":" + Long.MAX_VALUE + "}");
        assertThat(sft.isRunning()).as("the launcher that wrote it is gone").isFalse();
    }

    @Test
    void aRunDirectoryResumesWhereItsRunWas() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), "job: {name: t}\n");
        assertThat(ResumePlan.resolve(dir.toString(), CONFIG).phase())
                .as("killed before version 0")
                .isEqualTo(ResumePlan.Phase.INITIAL);
        new PolicyStore(RunPaths.under(dir, null).policyStore()).publish(state(0).weightsOnly(), "initial");
        assertThat(ResumePlan.resolve(dir.toString(), CONFIG).phase())
                .as("killed before the first checkpoint")
                .isEqualTo(ResumePlan.Phase.RL_START);
        Path checkpoint = dir.resolve("checkpoints").resolve("job").resolve("chk-3");
        Files.createDirectories(checkpoint);
        Files.writeString(checkpoint.resolve("_metadata"), "");
        assertThat(ResumePlan.resolve(dir.toString(), CONFIG)).isEqualTo(ResumePlan.restore(checkpoint.toString()));
        assertThat(ResumePlan.resolve(checkpoint.toString(), CONFIG))
                .isEqualTo(ResumePlan.restore(checkpoint.toString()));
    }

    @Test
    void cutBackTruncatesOnlyLongerFiles() throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(file, "a\nb\nc\n");
        LocalRun.cutBack(file, 4);
        assertThat(Files.readAllLines(file)).isEqualTo(List.of("a", "b"));
        LocalRun.cutBack(file, 100);
        assertThat(Files.readAllLines(file)).isEqualTo(List.of("a", "b"));
        LocalRun.cutBack(dir.resolve("missing"), 0);
        assertThat(dir.resolve("missing")).doesNotExist();
    }
}
