package io.rollstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.rollstream.device.Placement;
import io.rollstream.device.Precision;
import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.sampling.Completion;
import io.rollstream.sampling.GenerationRequest;
import io.rollstream.sampling.SamplingConfig;
import io.rollstream.sampling.SamplingEngine;
import io.rollstream.testing.NativeArrays;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The float16 path of frozen copies ({@code model.dtype: float16}), exercised on the CPU engine,
 * which has half-precision kernels for every operation the models use: the conversion, float32
 * logits out, log-probabilities close to the float32 model's, sampling through the KV cache, and
 * that a float16 model never trains. (The same code runs on a GPU; only there is it the default
 * for {@code float16}.)
 */
@Tag("djl")
class HalfPrecisionTest {

    private static final int PAD = 0;
    private static final int EOS = 2;
    private static final int VOCAB = 40;
    private static final Placement HALF_ON_CPU = new Placement(Device.cpu(), Precision.FLOAT16);
    /**
     * float16 keeps 11 significant bits: the small random models' log-probabilities move by about 2e-4
     * in float16, the fixture's large weights (log-probabilities near −14) by up to 0.017.
     */
    private static float tolerance(float logprob) {
        return 0.005f + 0.002f * Math.abs(logprob);
    }

    private static List<LanguageModel> models;

    @BeforeAll
    static void models() throws IOException {
        models = List.of(
                HfModelDirectory.load(Path.of("src/test/resources/hf-models/qwen2-bf16-sharded"), Device.cpu()),
                Models.initialize(
                        new DecoderConfig(DecoderConfig.QWEN3, VOCAB, 24, 40, 2, 6, 2, 10, 1e-6, 1e6, null, 64, true),
                        4,
                        Device.cpu()),
                Models.initialize(
                        new ModelConfig(VOCAB, 2, 4, 32, 48, 64, null, ModelConfig.Architecture.LLAMA),
                        3,
                        Device.cpu()),
                Models.initialize(
                        new ModelConfig(
                                VOCAB, 2, 4, 32, 64, 64, ModelConfig.Positions.ROTARY, ModelConfig.Architecture.GPT),
                        6,
                        Device.cpu()),
                Models.initialize(
                        new ModelConfig(
                                VOCAB, 2, 4, 32, 64, 64, ModelConfig.Positions.LEARNED, ModelConfig.Architecture.GPT),
                        7,
                        Device.cpu()));
    }

    @AfterAll
    static void close() {
        models.forEach(LanguageModel::close);
    }

    @Test
    void aFloat16CopyHoldsHalfWeightsAndGivesFloat32LogitsCloseToTheFloat32Models() {
        for (LanguageModel model : models) {
            try (LanguageModel half = Models.create(model.spec(), model.weights(), HALF_ON_CPU)) {
                assertThat(half.precision()).isEqualTo(Precision.FLOAT16);
                assertThat(half.parameters().values()).allMatch(p -> p.getDataType() == DataType.FLOAT16);
                List<GenerationRequest> reqs = DecoderModelTest.requests(6, 40);
                List<int[]> prompts =
                        reqs.stream().map(GenerationRequest::prompt).toList();
                List<int[]> completions = List.of(
                        new int[] {5, 6, 7, 8},
                        new int[] {9},
                        new int[] {10, 11},
                        new int[] {12, 13, 14},
                        new int[] {15, 16},
                        new int[] {17, 18, 19, 20, 21});
                float[][] full = TokenLogprobs.score(model, prompts, completions, PAD, 0.7);
                float[][] reduced = TokenLogprobs.score(half, prompts, completions, PAD, 0.7);
                for (int i = 0; i < full.length; i++) {
                    for (int j = 0; j < full[i].length; j++) {
                        assertThat(reduced[i][j])
                                .as(model.spec().describe())
                                .isCloseTo(full[i][j], within(tolerance(full[i][j])));
                    }
                }
            }
        }
    }

    @Test
    void aFloat16CopySamplesThroughTheKvCacheWithItsOwnTeacherForcedLogprobs() {
        for (LanguageModel model : models) {
            try (LanguageModel half = Models.create(model.spec(), model.weights(), HALF_ON_CPU)) {
                List<GenerationRequest> reqs = DecoderModelTest.requests(8, 40);
                List<Completion> out = new SamplingEngine(List.of(EOS), PAD, true)
                        .generate(half, reqs, new SamplingConfig(0.7, 1.0, 0, 16, false));
                float[][] scored = TokenLogprobs.score(
                        half,
                        reqs.stream().map(GenerationRequest::prompt).toList(),
                        out.stream().map(Completion::tokens).toList(),
                        PAD,
                        0.7);
                for (int i = 0; i < reqs.size(); i++) {
                    assertThat(out.get(i).tokens()).isNotEmpty();
                    for (int j = 0; j < scored[i].length; j++) {
                        assertThat(scored[i][j])
                                .as(model.spec().describe())
                                .isCloseTo(out.get(i).logprobs()[j], within(tolerance(scored[i][j])));
                    }
                }
            }
        }
    }

    @Test
    void aFloat16CopyNeverTrainsAndHandsOutItsWeightsAsFloat32() {
        LanguageModel model = models.get(2);
        Map<String, float[]> original = model.weights();
        try (LanguageModel half = Models.create(model.spec(), original, HALF_ON_CPU)) {
            assertThatThrownBy(() -> half.setTrainable(true))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("float16")
                    .hasMessageContaining("learners train float32");
            half.weights();
            int live = NativeArrays.live();
            Map<String, float[]> widened = half.weights();
            assertThat(NativeArrays.live()).isEqualTo(live);
            widened.forEach((name, values) -> {
                float[] expected = original.get(name);
                for (int i = 0; i < values.length; i++) {
                    assertThat(values[i]).as(name).isCloseTo(expected[i], within(Math.abs(expected[i]) / 1024 + 1e-7f));
                }
            });
        }
    }

    @Test
    void aHuggingFaceDirectoryLoadsStraightIntoFloat16() throws IOException {
        Path dir = Path.of("src/test/resources/hf-models/qwen2-bf16-sharded");
        try (LanguageModel half =
                HfModelDirectory.load(dir, HfModelDirectory.config(dir).decoder(), HALF_ON_CPU)) {
            NDArray embedding = half.parameters().get(DecoderLayout.EMBEDDING);
            assertThat(embedding.getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(half.device()).isEqualTo(Device.cpu());
        }
    }

    /**
     * LoRA adapters over a float16 base (a generator's frozen copy of a LoRA policy on a GPU) take
     * the base's precision and give log-probabilities close to the float32 base with the same
     * adapters (B non-zero, so the adapters matter); they do not train.
     */
    @Test
    void loraAdaptersOverAFloat16BaseAreFloat16AndAgreeWithFloat32() {
        DecoderModel model = (DecoderModel) models.get(2);
        LoraConfig lora = new LoraConfig(2, 4, 0.0, List.of());
        Map<String, float[]> adapters = new HashMap<>();
        SplittableRandom random = new SplittableRandom(11);
        LoraLayout.shapes(model.decoderConfig(), lora).forEach((name, shape) -> {
            float[] values = new float[(int) shape.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian(0, 0.2);
            }
            adapters.put(name, values);
        });
        try (DecoderModel halfBase = (DecoderModel) Models.create(model.spec(), model.weights(), HALF_ON_CPU);
                LoraModel full = LoraModel.create(model, false, lora, TensorSource.of(adapters));
                LoraModel half = LoraModel.create(halfBase, false, lora, TensorSource.of(adapters))) {
            assertThat(half.precision()).isEqualTo(Precision.FLOAT16);
            assertThat(half.parameters().values()).allMatch(p -> p.getDataType() == DataType.FLOAT16);
            List<GenerationRequest> reqs = DecoderModelTest.requests(4, 40);
            List<int[]> prompts = reqs.stream().map(GenerationRequest::prompt).toList();
            List<int[]> completions =
                    List.of(new int[] {5, 6, 7}, new int[] {9}, new int[] {10, 11}, new int[] {12, 13, 14});
            float[][] withoutAdapters = TokenLogprobs.score(model, prompts, completions, PAD, 1.0);
            float[][] expected = TokenLogprobs.score(full, prompts, completions, PAD, 1.0);
            float[][] actual = TokenLogprobs.score(half, prompts, completions, PAD, 1.0);
            double moved = 0;
            for (int i = 0; i < expected.length; i++) {
                for (int j = 0; j < expected[i].length; j++) {
                    moved = Math.max(moved, Math.abs(expected[i][j] - withoutAdapters[i][j]));
                    assertThat(actual[i][j]).isCloseTo(expected[i][j], within(tolerance(expected[i][j])));
                }
            }
            assertThat(moved).as("the adapters change the log-probabilities").isGreaterThan(0.05);
            assertThatThrownBy(() -> half.setTrainable(true)).isInstanceOf(IllegalStateException.class);
        }
    }
}
