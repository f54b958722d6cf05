package io.rollstream.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.rollstream.testing.NativeArrays;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading and writing safetensors: exact round trips, chunked reads, and every malformed header refused. */
@Tag("djl")
class SafetensorsFileTest {

    @TempDir
    Path dir;

    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.sin(i * 0.37) * (i + 1);
        }
        return v;
    }

    private Path sample(SafetensorsDtype dtype) throws IOException {
        Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a.weight", new SafetensorsWriter.Tensor(new long[] {10, 7}, ramp(70)));
        tensors.put("b", new SafetensorsWriter.Tensor(new long[] {3}, new float[] {1f, -2.5f, 1e-3f}));
        tensors.put("scalar", new SafetensorsWriter.Tensor(new long[0], new float[] {4f}));
        Path file = dir.resolve(dtype + ".safetensors");
        SafetensorsWriter.write(file, tensors, dtype, Map.of("format", "pt"));
        return file;
    }

    @Test
    void float32RoundTripsExactlyInAnyChunkSize() throws IOException {
        Path file = sample(SafetensorsDtype.F32);
        for (int chunk : new int[] {SafetensorsFile.CHUNK_BYTES, 28, 60, 1000}) {
            try (SafetensorsFile f = SafetensorsFile.open(file, chunk);
                    NDManager m = NDManager.newBaseManager(Device.cpu())) {
                assertThat(f.metadata()).containsEntry("format", "pt");
                assertThat(f.tensors()).containsOnlyKeys("a.weight", "b", "scalar");
                NDArray a = f.readFloat32("a.weight", m);
                assertThat(a.getShape().getShape()).containsExactly(10, 7);
                assertThat(a.toFloatArray()).containsExactly(ramp(70));
                assertThat(f.readFloat32("b", m).toFloatArray()).containsExactly(1f, -2.5f, 1e-3f);
                assertThat(f.readFloat32("scalar", m).getShape().dimension()).isZero();
            }
        }
    }

    @Test
    void bfloat16IsRoundedToNearestEvenAndWidenedExactly() throws IOException {
        Path file = sample(SafetensorsDtype.BF16);
        try (SafetensorsFile f = SafetensorsFile.open(file, 40);
                NDManager m = NDManager.newBaseManager(Device.cpu())) {
            float[] read = f.readFloat32("a.weight", m).toFloatArray();
            float[] original = ramp(70);
            for (int i = 0; i < read.length; i++) {
                assertThat(read[i]).isEqualTo(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(original[i])));
                assertThat(Math.abs(read[i] - original[i])).isLessThanOrEqualTo(Math.abs(original[i]) / 256);
            }
        }
        // 1 + 2^-8 lies halfway between two bfloat16 values: it rounds to the even one (1.0).
        assertThat(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(1f + 0x1p-8f))).isEqualTo(1f);
        assertThat(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(1f + 0x1p-7f + 0x1p-8f)))
                .isEqualTo(1f + 0x1p-6f);
        assertThat(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.NaN))).isNaN();
    }

    @Test
    void halfPrecisionDecodesEveryClassOfValue() {
        assertThat(HalfFloats.f16ToFloat((short) 0x3C00)).isEqualTo(1f);
        assertThat(HalfFloats.f16ToFloat((short) 0xC000)).isEqualTo(-2f);
        assertThat(HalfFloats.f16ToFloat((short) 0x7BFF)).isEqualTo(65504f);
        assertThat(HalfFloats.f16ToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(HalfFloats.f16ToFloat((short) 0x83FF)).isEqualTo(-0x3FFp-24f);
        assertThat(HalfFloats.f16ToFloat((short) 0x3555)).isEqualTo(0x1.554p-2f);
        assertThat(HalfFloats.f16ToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(HalfFloats.f16ToFloat((short) 0x7E00)).isNaN();
        assertThat(1 / HalfFloats.f16ToFloat((short) 0x8000)).isEqualTo(Float.NEGATIVE_INFINITY);
    }

    @Test
    void readingLeavesNoNativeArraysBehind() throws IOException {
        Path file = sample(SafetensorsDtype.BF16);
        try (SafetensorsFile f = SafetensorsFile.open(file, 40);
                NDManager m = NDManager.newBaseManager(Device.cpu())) {
            int live = NativeArrays.live();
            f.readFloat32("a.weight", m).close();
            assertThat(NativeArrays.live()).isEqualTo(live);
        }
    }

    @Test
    void readingMapsNoPageOfTheFile() throws IOException {
        Path maps = Path.of("/proc/self/maps");
        Assumptions.assumeTrue(Files.isReadable(maps), "needs Linux's /proc/self/maps");
        for (SafetensorsDtype dtype : new SafetensorsDtype[] {SafetensorsDtype.F32, SafetensorsDtype.BF16}) {
            Path file = sample(dtype);
            try (SafetensorsFile f = SafetensorsFile.open(file, 60);
                    NDManager m = NDManager.newBaseManager(Device.cpu())) {
                assertThat(f.readFloat32("a.weight", m).toFloatArray()).hasSize(70);
                assertThat(f.readFloats("a.weight")).hasSize(70);
                // A mapping would stay (and its pages count as resident) until a GC collected its buffer.
                assertThat(Files.readString(maps))
                        .doesNotContain(file.toRealPath().toString());
            }
        }
    }

    @Test
    void aNonFloatTensorIsNotAWeight() throws IOException {
        Path file = raw("{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", 16);
        try (SafetensorsFile f = SafetensorsFile.open(file);
                NDManager m = NDManager.newBaseManager(Device.cpu())) {
            assertThatThrownBy(() -> f.readFloat32("ids", m)).hasMessageContaining("stored as I64");
            assertThatThrownBy(() -> f.readFloat32("nope", m)).hasMessageContaining("no tensor nope");
        }
    }

    @Test
    void malformedHeadersAreRefusedWithTheirReason() throws IOException {
        String ok = "\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]";
        assertRefused(raw("{\"t\":{" + ok + "}}", 8), "outside the 8 bytes");
        assertRefused(raw("{\"t\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,16]}}", 16), "24 bytes");
        assertRefused(raw("{\"t\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2), "unknown dtype");
        assertRefused(raw("{\"t\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", 16), "non-negative");
        assertRefused(raw("{\"t\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,0]}}", 16), "outside");
        assertRefused(
                raw("{\"t\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,16]}}", 16),
                "too large");
        assertRefused(raw("{\"t\":{" + ok + ",\"extra\":1}}", 16), "unknown field extra");
        assertRefused(
                raw("{\"t\":{" + ok + "},\"u\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16),
                "overlap");
        assertRefused(raw("{\"t\":{" + ok + "},\"__metadata__\":{\"a\":1}}", 16), "not a string");
        assertRefused(raw("[1,2]", 0), "not a JSON object");
        assertRefused(raw("{\"t\":", 0), "not JSON");
        assertRefused(raw("{\"t\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "data_offsets");
        assertRefused(withLength(Long.MAX_VALUE, "{}"), "header length");
        assertRefused(withLength(-1L, "{}"), "header length");
        assertRefused(withLength(1000, "{}"), "header length");
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertRefused(tiny, "fewer than the 8");
    }

    private static void assertRefused(Path file, String reason) {
        assertThatThrownBy(() -> SafetensorsFile.open(file).close())
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining(reason);
    }

    private int files;

    /** A file with {@code header} and {@code dataBytes} zero bytes of data. */
    private Path raw(String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        Path file = dir.resolve("raw" + files++ + ".safetensors");
        Files.write(file, b.array());
        return file;
    }

    private Path withLength(long length, String header) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(length).put(json);
        Path file = dir.resolve("raw" + files++ + ".safetensors");
        Files.write(file, b.array());
        return file;
    }
}
