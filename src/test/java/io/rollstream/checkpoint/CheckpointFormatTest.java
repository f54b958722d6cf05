package io.rollstream.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.learner.AdamW;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.ParameterLayout;
import io.rollstream.tokenizer.TokenizerSpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** The file format alone (no DJL): round trip, and every way a damaged file is refused. */
class CheckpointFormatTest {

    private static final ModelConfig MODEL = new ModelConfig(10, 1, 2, 8, 16, 12, ModelConfig.Positions.ROTARY);

    private static Map<String, float[]> values(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, float[]> out = new LinkedHashMap<>();
        ParameterLayout.shapes(MODEL).forEach((name, shape) -> {
            float[] v = new float[(int) shape.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) random.nextGaussian();
            }
            out.put(name, v);
        });
        return out;
    }

    private static Checkpoint sample() {
        return new Checkpoint(42, MODEL, TokenizerSpec.chars("0123456"), values(1),
                new AdamW.State(40, values(2), values(3)), Map.of("run", "r1"));
    }

    @Test
    void roundTripsEveryFieldExactly() throws IOException {
        Checkpoint original = sample();
        Checkpoint read = CheckpointFormat.read(new ByteArrayInputStream(CheckpointFormat.toBytes(original)));
        assertThat(read.step()).isEqualTo(42);
        assertThat(read.model()).isEqualTo(MODEL);
        assertThat(read.tokenizer()).isEqualTo(original.tokenizer());
        assertThat(read.metadata()).isEqualTo(original.metadata());
        assertThat(read.optimizer().step()).isEqualTo(40);
        original.weights().forEach((name, w) -> {
            assertThat(read.weights().get(name)).containsExactly(w);
            assertThat(read.optimizer().firstMoments().get(name)).containsExactly(original.optimizer().firstMoments().get(name));
            assertThat(read.optimizer().secondMoments().get(name)).containsExactly(original.optimizer().secondMoments().get(name));
        });
    }

    @Test
    void weightsOnlyCheckpointsHaveNoOptimizer() throws IOException {
        byte[] bytes = CheckpointFormat.toBytes(sample().weightsOnly());
        assertThat(CheckpointFormat.read(new ByteArrayInputStream(bytes)).optimizer()).isNull();
        assertThat(bytes.length).isLessThan(CheckpointFormat.toBytes(sample()).length / 2);
    }

    @Test
    void aFlippedByteFailsTheChecksum() {
        byte[] bytes = CheckpointFormat.toBytes(sample());
        bytes[bytes.length / 2] ^= 0x10;
        assertThatThrownBy(() -> CheckpointFormat.read(new ByteArrayInputStream(bytes)))
                .hasMessageContaining("checksum mismatch");
    }

    @Test
    void aTruncatedFileIsRefused() {
        byte[] bytes = CheckpointFormat.toBytes(sample());
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 100);
        assertThatThrownBy(() -> CheckpointFormat.read(new ByteArrayInputStream(truncated)))
                .hasMessageContaining("truncated or corrupted");
    }

    @Test
    void somethingElseIsNotACheckpoint() {
        assertThatThrownBy(() -> CheckpointFormat.read(new ByteArrayInputStream("{\"step\": 3}".getBytes())))
                .hasMessageContaining("not a Rollstream checkpoint");
    }

    @Test
    void weightsThatDoNotFitTheConfigAreRefusedOnWrite() {
        Map<String, float[]> wrong = values(1);
        wrong.put("wte", new float[3]);
        Checkpoint bad = new Checkpoint(1, MODEL, TokenizerSpec.chars("01"), wrong, null, null);
        assertThatThrownBy(() -> CheckpointFormat.toBytes(bad)).hasMessageContaining("wte");
    }

    @Test
    void saveReplacesAtomicallyAndLeavesNoTemporaryFiles(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("step-000042" + CheckpointFormat.SUFFIX);
        CheckpointFormat.save(sample(), file);
        CheckpointFormat.save(sample().weightsOnly(), file);
        assertThat(CheckpointFormat.load(file).optimizer()).isNull();
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void loadNamesTheFileInItsErrors(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("broken" + CheckpointFormat.SUFFIX);
        Files.write(file, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> CheckpointFormat.load(file)).hasMessageContaining(file.toString());
    }
}
