package io.rollstream.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.LegacyCheckpoints;
import io.rollstream.checkpoint.OptimizerState;
import io.rollstream.common.FlinkFiles;
import io.rollstream.model.ModelConfig;
import io.rollstream.tokenizer.TokenizerSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Learner states in files: streamed out, read back verified, and files of the format before version 3 still read. */
class LearnerStateFilesTest {

    private static final ModelConfig MODEL = new ModelConfig(6, 1, 1, 4, 4, 8, ModelConfig.Positions.LEARNED);

    @TempDir
    Path dir;

    private static Map<String, float[]> filled(float value) {
        Map<String, float[]> out = new LinkedHashMap<>();
        MODEL.parameterShapes().forEach((name, shape) -> {
            float[] v = new float[(int) shape.size()];
            Arrays.fill(v, value);
            out.put(name, v);
        });
        return out;
    }

    private static Checkpoint state() {
        return new Checkpoint(
                7,
                MODEL,
                TokenizerSpec.chars("abc"),
                filled(1),
                new OptimizerState(7, filled(2), filled(3)),
                Map.of("attempt", "a"));
    }

    @Test
    void aStateStreamsToItsFileAndReadsBackVerified() throws Exception {
        LearnerStateFiles files = new LearnerStateFiles(dir.toString());
        LearnerStateFiles.Reference reference = files.write("job", 4, false, state());
        assertThat(reference.bytes()).isEqualTo(Files.size(Path.of(reference.path())));
        Checkpoint read = LearnerStateFiles.read(LearnerStateFiles.decode(LearnerStateFiles.encode(reference)));
        assertThat(read.step()).isEqualTo(7);
        assertThat(read.optimizer().secondMoments().floats("wte")).containsOnly(3f);
        LearnerStateFiles.Reference other = files.write("job", 5, false, state().weightsOnly());
        assertThatThrownBy(() -> LearnerStateFiles.read(
                        new LearnerStateFiles.Reference(other.path(), reference.sha256(), other.bytes())))
                .hasMessageContaining("does not match the checksum its Flink checkpoint recorded")
                .hasMessageContaining("restore from another checkpoint or savepoint");
    }

    /** A state file written before checkpoint format 3, referenced by its whole-file SHA-256, restores. */
    @Test
    void aStateFileOfTheFormatBeforeVersionThreeStillReads() throws Exception {
        byte[] legacy = LegacyCheckpoints.version2(state());
        Path file = Files.write(dir.resolve("chk-job-3.rsckpt"), legacy);
        Checkpoint read = LearnerStateFiles.read(
                new LearnerStateFiles.Reference(file.toString(), FlinkFiles.sha256(legacy), legacy.length));
        assertThat(read.optimizer().step()).isEqualTo(7);
        assertThat(read.optimizer().firstMoments().floats("h0.mlp.in.w")).containsOnly(2f);
    }
}
