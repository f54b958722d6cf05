package io.rollstream.huggingface;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollstream.model.AttentionBias;
import io.rollstream.model.DecoderConfig;
import io.rollstream.model.DecoderModel;
import io.rollstream.model.KvCache;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Llama-family decoder against the independent NumPy reference ({@code
 * src/test/python/make_hf_fixtures.py}): every fixture — Llama tied with grouped-query attention,
 * Mistral stored as F16, Qwen2 with biases in BF16 shards with linear rope scaling, Qwen3 with q/k
 * norm and its own head_dim, Llama 3 rope scaling — agrees within 1e-3 in log-probs, in a full
 * forward, token by token through the KV cache, and batched with left padding.
 */
@Tag("djl")
class HfFixturesTest {

    static final Path FIXTURES = Path.of("src/test/resources/hf-models");
    private static final double TOLERANCE = 1e-3;

    record Sequence(int[] ids, Double[] logprobs) {}

    static List<Sequence> expected(String fixture) throws IOException {
        JsonNode root = new ObjectMapper()
                .readTree(FIXTURES.resolve(fixture).resolve("expected.json").toFile());
        List<Sequence> out = new ArrayList<>();
        for (JsonNode s : root.path("sequences")) {
            int[] ids = new int[s.path("token_ids").size()];
            Double[] lp = new Double[ids.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = s.path("token_ids").get(i).asInt();
                lp[i] = s.path("logprobs").get(i).isNull()
                        ? null
                        : s.path("logprobs").get(i).asDouble();
            }
            out.add(new Sequence(ids, lp));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-tied", "mistral-f16", "qwen2-bf16-sharded", "qwen3-headdim", "llama3-rope"})
    void agreesWithTheReferenceFullCachedAndBatched(String fixture) throws IOException {
        List<Sequence> sequences = expected(fixture);
        try (DecoderModel model = HfModelDirectory.load(FIXTURES.resolve(fixture), Device.cpu());
                NDManager m = model.newSubManager()) {
            JniUtils.setGradMode(false);
            for (Sequence s : sequences) {
                assertAgrees(fixture + " full", s, fullForward(model, m, s.ids()));
                assertAgrees(fixture + " cached", s, tokenByToken(model, m, s.ids()));
            }
            List<float[]> batched = leftPaddedBatch(model, m, sequences);
            for (int r = 0; r < sequences.size(); r++) {
                assertAgrees(fixture + " batched row " + r, sequences.get(r), batched.get(r));
            }
        }
    }

    @Test
    void theMistralSlidingWindowBoundsTheContext() throws IOException {
        HfConfig config = HfModelDirectory.config(FIXTURES.resolve("mistral-f16"));
        assertThat(config.decoder().contextLength()).isEqualTo(96);
        assertThat(config.notes()).anyMatch(n -> n.contains("sliding_window 96"));
        assertThat(HfModelDirectory.config(FIXTURES.resolve("qwen3-headdim")).decoder())
                .extracting(DecoderConfig::headDim, DecoderConfig::qkNorm, DecoderConfig::kvHeads)
                .containsExactly(6, true, 2);
    }

    private static void assertAgrees(String what, Sequence s, float[] logprobs) {
        for (int i = 1; i < s.ids().length; i++) {
            assertThat((double) logprobs[i])
                    .as(what + " position " + i)
                    .isCloseTo(s.logprobs()[i], Offset.offset(TOLERANCE));
        }
    }

    /** logprobs[i] = log p(ids[i] | ids[:i]) from logits (T, V) of positions 0..T-1. */
    private static float[] gather(NDArray logits, int[] ids, int rowOffset) {
        float[] logp = logits.logSoftmax(-1).toFloatArray();
        int vocab = (int) logits.getShape().get(logits.getShape().dimension() - 1);
        float[] out = new float[ids.length];
        out[0] = Float.NaN;
        for (int i = 1; i < ids.length; i++) {
            out[i] = logp[(rowOffset + i - 1) * vocab + ids[i]];
        }
        return out;
    }

    private static float[] fullForward(DecoderModel model, NDManager m, int[] ids) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray logits = model.logits(m.create(toLong(ids), new Shape(1, ids.length)));
            return gather(logits.reshape(ids.length, -1), ids, 0);
        }
    }

    /** One token per forward, keys and values from the cache. */
    private static float[] tokenByToken(DecoderModel model, NDManager m, int[] ids) {
        List<NDArray> steps = new ArrayList<>();
        try (NDScope scope = new NDScope();
                KvCache cache = model.newKvCache(ids.length)) {
            scope.suppressNotUsedWarning();
            for (int i = 0; i < ids.length; i++) {
                NDArray token = m.create(new long[] {ids[i]}, new Shape(1, 1));
                NDArray position = m.create(new long[] {i}, new Shape(1, 1));
                NDArray bias = m.zeros(new Shape(1, 1, 1, i + 1));
                steps.add(model.forward(token, position, bias, cache, true)); // (1, V)
            }
            return gather(NDArrays.concat(new NDList(steps), 0), ids, 0);
        }
    }

    /** All sequences in one forward, left-padded as the sampling engine lays out prompts. */
    private static List<float[]> leftPaddedBatch(DecoderModel model, NDManager m, List<Sequence> sequences) {
        int width = sequences.stream().mapToInt(s -> s.ids().length).max().orElseThrow();
        int rows = sequences.size();
        long[] ids = new long[rows * width];
        long[] positions = new long[rows * width];
        int[] padding = new int[rows];
        for (int r = 0; r < rows; r++) {
            int[] s = sequences.get(r).ids();
            padding[r] = width - s.length;
            for (int j = 0; j < s.length; j++) {
                ids[r * width + padding[r] + j] = s[j];
                positions[r * width + padding[r] + j] = j;
            }
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray logits = model.forward(
                            m.create(ids, new Shape(rows, width)),
                            m.create(positions, new Shape(rows, width)),
                            m.create(
                                    AttentionBias.leftPaddedCausal(padding, 0, width),
                                    new Shape(rows, 1, width, width)),
                            null,
                            false)
                    .reshape(rows * width, -1);
            List<float[]> out = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
                out.add(gather(logits, sequences.get(r).ids(), r * width + padding[r]));
            }
            return out;
        }
    }

    private static long[] toLong(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }
}
