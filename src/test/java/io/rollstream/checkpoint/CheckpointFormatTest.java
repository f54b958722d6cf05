package io.rollstream.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rollstream.model.DecoderConfig;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.ModelSpec;
import io.rollstream.model.ParameterLayout;
import io.rollstream.model.RopeScaling;
import io.rollstream.model.TensorSource;
import io.rollstream.safetensors.SafetensorsFile;
import io.rollstream.tokenizer.TokenizerSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file format alone (no DJL): round trips, old formats, and every way a damaged or swapped file is refused. */
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
        return new Checkpoint(
                42,
                MODEL,
                TokenizerSpec.chars("0123456"),
                values(1),
                new OptimizerState(40, values(2), values(3)),
                Map.of("run", "r1"));
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
        assertSameTensors(read, original);
    }

    private static void assertSameTensors(Checkpoint read, Checkpoint original) {
        assertThat(read.weights().names())
                .containsExactlyElementsOf(original.tensorShapes().keySet());
        for (String name : original.weights().names()) {
            assertThat(read.weights().floats(name))
                    .as(name)
                    .containsExactly(original.weights().floats(name));
            if (original.optimizer() != null) {
                assertThat(read.optimizer().step())
                        .isEqualTo(original.optimizer().step());
                assertThat(read.optimizer().firstMoments().floats(name))
                        .containsExactly(original.optimizer().firstMoments().floats(name));
                assertThat(read.optimizer().secondMoments().floats(name))
                        .containsExactly(original.optimizer().secondMoments().floats(name));
            }
        }
    }

    @Test
    void weightsOnlyCheckpointsHaveNoOptimizer() throws IOException {
        byte[] bytes = CheckpointFormat.toBytes(sample().weightsOnly());
        assertThat(CheckpointFormat.read(new ByteArrayInputStream(bytes)).optimizer())
                .isNull();
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
        ModelSpec qwen3 = new DecoderConfig(
                DecoderConfig.QWEN3,
                12,
                8,
                16,
                1,
                4,
                2,
                6,
                1e-6,
                1e6,
                new RopeScaling(RopeScaling.LLAMA3, 8, 1.0, 4.0, 64),
                128,
                false);
        for (ModelSpec model : List.of(llama, qwen3)) {
            Checkpoint original = new Checkpoint(3, model, TokenizerSpec.chars("01"), values(model, 5), null, null);
            Checkpoint read = CheckpointFormat.read(new ByteArrayInputStream(CheckpointFormat.toBytes(original)));
            assertThat(read.model()).isEqualTo(model);
            assertSameTensors(read, original);
        }
    }

    /** A file as format version 1 wrote it (no kind, no architecture) still reads, as a builtin gpt model. */
    @Test
    void readsFormatVersionOne() throws Exception {
        Map<String, float[]> weights = values(7);
        String parameters = ParameterLayout.shapes(MODEL).entrySet().stream()
                .map(e -> "{\"name\":\"" + e.getKey() + "\",\"shape\":"
                        + Arrays.toString(e.getValue().getShape()) + "}")
                .collect(Collectors.joining(","));
        String header = "{\"format_version\":1,\"step\":9,\"model\":{\"vocab_size\":10,\"layers\":1,\"heads\":2,"
                + "\"d_model\":8,\"mlp_width\":16,\"context_length\":12,\"positions\":\"ROTARY\"},"
                + "\"tokenizer\":{\"type\":\"char\",\"alphabet\":\"01\"},\"parameters\":[" + parameters
                + "],\"metadata\":{}}";
        byte[] file = LegacyCheckpoints.file(1, header, List.of(weights));
        Checkpoint read = CheckpointFormat.read(new ByteArrayInputStream(file));
        assertThat(read.model()).isEqualTo(MODEL);
        assertThat(((ModelConfig) read.model()).architecture()).isEqualTo(ModelConfig.Architecture.GPT);
        assertThat(read.weights().floats("wte")).containsExactly(weights.get("wte"));
    }

    /** A learner state of format version 2 (the last one held in one byte array) reads, from bytes and from a file. */
    @Test
    void readsFormatVersionTwoWithItsOptimizer(@TempDir Path dir) throws Exception {
        Checkpoint original = sample();
        byte[] file = LegacyCheckpoints.version2(original);
        assertSameTensors(CheckpointFormat.read(new ByteArrayInputStream(file)), original);
        Path path = Files.write(dir.resolve("old" + CheckpointFormat.SUFFIX), file);
        assertSameTensors(CheckpointFormat.load(path), original);
        assertThat(CheckpointFormat.readSummary(path).step()).isEqualTo(42);
        file[file.length / 2] ^= 4;
        assertThatThrownBy(() -> CheckpointFormat.read(new ByteArrayInputStream(file)))
                .hasMessageContaining("checksum mismatch");
    }

    /** A checkpoint is a safetensors file: its weights load like any (the tensors are the parameters, F32). */
    @Test
    void aCheckpointIsASafetensorsFileWithTheHeaderInItsMetadata(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("c" + CheckpointFormat.SUFFIX);
        String checksum = CheckpointFormat.save(sample(), file);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.metadata())
                    .containsEntry("format", "pt")
                    .containsEntry(CheckpointFormat.CHECKSUM_KEY, checksum)
                    .containsKey(CheckpointFormat.HEADER_KEY);
            assertThat(st.tensors().keySet())
                    .startsWith(MODEL.parameterShapes().keySet().toArray(new String[0]))
                    .contains(CheckpointFormat.FIRST_MOMENT + "wte", CheckpointFormat.SECOND_MOMENT + "wte");
            assertThat(st.readFloats("wte")).containsExactly(sample().weights().floats("wte"));
        }
        assertThat(checksum).hasSize(64).isEqualTo(CheckpointFormat.save(sample(), dir.resolve("again.rsckpt")));
    }

    /** A saved file is read tensor by tensor from disk; a byte changed on disk afterwards fails its checksum. */
    @Test
    void aLoadedFileIsVerifiedAndReadLazily(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("c" + CheckpointFormat.SUFFIX);
        CheckpointFormat.save(sample(), file);
        assertSameTensors(CheckpointFormat.load(file), sample());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 7] ^= 1;
        Files.write(file, bytes);
        assertThatThrownBy(() -> CheckpointFormat.load(file))
                .hasMessageContaining("checksum mismatch")
                .hasMessageContaining(file.toString());
        assertThatThrownBy(() -> CheckpointFormat.load(new org.apache.flink.core.fs.Path(file.toUri()), "ab", "a test"))
                .hasMessageContaining("checksum mismatch");
    }

    /** The checksum a manifest records must be the file's: another (complete, valid) file is refused. */
    @Test
    void aFileSwappedForAnotherIsRefusedByItsRecordedChecksum(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("c" + CheckpointFormat.SUFFIX);
        String first = CheckpointFormat.save(sample(), file);
        CheckpointFormat.save(sample().weightsOnly(), file);
        org.apache.flink.core.fs.Path flinkPath = new org.apache.flink.core.fs.Path(file.toUri());
        assertThatThrownBy(() -> CheckpointFormat.load(flinkPath, first, "its manifest"))
                .hasMessageContaining("does not match the checksum its manifest recorded");
    }

    /**
     * Nothing is ever one byte array: a 2.03 GiB checkpoint streams out of a source that
     * makes each tensor when asked, through a 3 GiB test heap.
     */
    @Test
    void aCheckpointLargerThanTwoGibibytesStreams() throws IOException {
        ModelSpec big =
                new DecoderConfig(DecoderConfig.LLAMA, 40000, 4096, 14336, 1, 32, 8, 128, 1e-5, 1e4, null, 4096, false);
        TensorSource made = new TensorSource() {
            @Override
            public Set<String> names() {
                return big.parameterShapes().keySet();
            }

            @Override
            public NDArray read(String name, Shape shape, NDManager manager) {
                throw new UnsupportedOperationException();
            }

            @Override
            public float[] floats(String name) {
                float[] v = new float[(int) big.parameterShapes().get(name).size()];
                Arrays.fill(v, name.length());
                return v;
            }
        };
        Checkpoint checkpoint = new Checkpoint(1, big, TokenizerSpec.chars("01"), made, null, null);
        long expected = CheckpointFormat.sizeBytes(checkpoint);
        assertThat(expected).isGreaterThan(Integer.MAX_VALUE);
        long[] written = new long[1];
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) {
                written[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                written[0] += len;
            }
        };
        assertThat(CheckpointFormat.write(checkpoint, counting)).hasSize(64);
        assertThat(written[0]).isEqualTo(expected);
    }
}
