package io.rollstream.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.model.DecoderConfig;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.ModelSpec;
import io.rollstream.model.RopeScaling;
import io.rollstream.model.ParameterLayout;
import io.rollstream.tokenizer.TokenizerSpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/** The file format alone (no DJL): round trip, and every way a damaged file is refused. */
class CheckpointFormatTest {

    private static final ModelConfig MODEL = new ModelConfig(10, 1, 2, 8, 16, 12, ModelConfig.Positions.ROTARY);

    private static Map<String, float[]> values(long seed) {
        return values(MODEL, seed);
    }

    private static Map<String, float[]> values(ModelSpec model, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, float[]> out = new LinkedHashMap<>();
        model.parameterShapes().forEach((name, shape) -> {
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
                new OptimizerState(40, values(2), values(3)), Map.of("run", "r1"));
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

    @Test
    void everyKindOfModelSpecRoundTrips() throws IOException {
        ModelSpec llama = new ModelConfig(10, 2, 2, 8, 12, 16, null, ModelConfig.Architecture.LLAMA);
        ModelSpec qwen3 = new DecoderConfig(DecoderConfig.QWEN3, 12, 8, 16, 1, 4, 2, 6, 1e-6, 1e6,
                new RopeScaling(RopeScaling.LLAMA3, 8, 1.0, 4.0, 64), 128, false);
        for (ModelSpec model : List.of(llama, qwen3)) {
            Checkpoint original = new Checkpoint(3, model, TokenizerSpec.chars("01"), values(model, 5), null, null);
            Checkpoint read = CheckpointFormat.read(new ByteArrayInputStream(CheckpointFormat.toBytes(original)));
            assertThat(read.model()).isEqualTo(model);
            assertThat(read.weights().keySet()).containsExactlyElementsOf(model.parameterShapes().keySet());
            original.weights().forEach((name, w) -> assertThat(read.weights().get(name)).containsExactly(w));
        }
    }

    /** A file as format version 1 wrote it (no kind, no architecture) still reads, as a builtin gpt model. */
    @Test
    void readsFormatVersionOne() throws Exception {
        Map<String, float[]> weights = values(7);
        String parameters = ParameterLayout.shapes(MODEL).entrySet().stream()
                .map(e -> "{\"name\":\"" + e.getKey() + "\",\"shape\":" + Arrays.toString(e.getValue().getShape()) + "}")
                .collect(Collectors.joining(","));
        String header = "{\"format_version\":1,\"step\":9,\"model\":{\"vocab_size\":10,\"layers\":1,\"heads\":2,"
                + "\"d_model\":8,\"mlp_width\":16,\"context_length\":12,\"positions\":\"ROTARY\"},"
                + "\"tokenizer\":{\"type\":\"char\",\"alphabet\":\"01\"},\"parameters\":[" + parameters
                + "],\"metadata\":{}}";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(body);
        data.write("RSCK".getBytes(StandardCharsets.US_ASCII));
        data.writeInt(1);
        byte[] headerBytes = header.getBytes(StandardCharsets.UTF_8);
        data.writeInt(headerBytes.length);
        data.write(headerBytes);
        for (float[] w : weights.values()) {
            ByteBuffer buf = ByteBuffer.allocate(w.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(w);
            data.write(buf.array());
        }
        data.write(java.security.MessageDigest.getInstance("SHA-256").digest(body.toByteArray()));
        Checkpoint read = CheckpointFormat.read(new ByteArrayInputStream(body.toByteArray()));
        assertThat(read.model()).isEqualTo(MODEL);
        assertThat(((ModelConfig) read.model()).architecture()).isEqualTo(ModelConfig.Architecture.GPT);
        assertThat(read.weights().get("wte")).containsExactly(weights.get("wte"));
    }

    @Test
    void aCheckpointTooLargeToReadBackIsRefusedBeforeWriting() {
        ModelSpec big = new DecoderConfig(DecoderConfig.QWEN2, 152064, 3584, 18944, 28, 28, 4, 128, 1e-6, 1e6, null,
                32768, false);
        assertThatThrownBy(() -> CheckpointFormat.requireAddressable(big, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("held in one byte array").hasMessageContaining("Qwen2ForCausalLM");
        CheckpointFormat.requireAddressable(MODEL, true);
    }
}
