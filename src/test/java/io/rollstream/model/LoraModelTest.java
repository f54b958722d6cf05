package io.rollstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.rollstream.huggingface.HfModelDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * LoRA on the Llama-family decoder: a fresh adapter (B zero) gives exactly the base model's
 * log-probabilities, trained or frozen; a non-zero one is the base with {@code W + (alpha/rank) B A}
 * merged, computed independently in Java (float64); PEFT's initialisation and names.
 */
@Tag("djl")
class LoraModelTest {

    private static final Path FIXTURES = Path.of("src/test/resources/hf-models");
    private static final LoraConfig ALL = new LoraConfig(4, 8, 0.0, List.of());
    private static final int[][] IDS = {{1, 17, 200, 33, 5, 90, 2, 300}, {1, 4, 4, 250, 120, 7, 9, 11}};

    private static float[] logprobs(LanguageModel model) {
        try (NDManager m = model.newSubManager()) {
            long[][] ids = new long[IDS.length][];
            for (int r = 0; r < IDS.length; r++) {
                ids[r] = Arrays.stream(IDS[r]).asLongStream().toArray();
            }
            return model.logits(m.create(ids)).logSoftmax(-1).toFloatArray();
        }
    }

    @Test
    void aFreshAdapterGivesTheBaseModelsLogprobsExactly() throws IOException {
        for (String fixture : List.of("llama-tied", "qwen2-bf16-sharded", "qwen3-headdim")) {
            try (DecoderModel base = HfModelDirectory.load(FIXTURES.resolve(fixture), Device.cpu())) {
                float[] expected = logprobs(base);
                try (LoraModel lora = LoraModel.initialize(base, false, ALL, 11)) {
                    assertThat(logprobs(lora)).as(fixture + ", frozen").containsExactly(expected);
                    lora.setTrainable(true);
                    assertThat(logprobs(lora)).as(fixture + ", training").containsExactly(expected);
                    assertThat(lora.parameters().keySet())
                            .as("only the adapters are the model's parameters")
                            .allMatch(name -> name.contains(".lora_"));
                }
                assertThat(logprobs(base))
                        .as("closing the adapters leaves the shared base")
                        .containsExactly(expected);
            }
        }
        ModelConfig builtin = new ModelConfig(40, 2, 4, 32, 48, 16, null, ModelConfig.Architecture.LLAMA);
        try (DecoderModel base = (DecoderModel) Models.initialize(builtin, 3, Device.cpu());
                LoraModel lora =
                        LoraModel.initialize(base, false, new LoraConfig(2, 4, 0.1, List.of("q_proj", "v_proj")), 5)) {
            int[][] small = {{1, 7, 20, 33, 5, 9}};
            assertThat(logits(lora, small)).as("builtin llama").containsExactly(logits(base, small));
        }
    }

    private static float[] logits(LanguageModel model, int[][] rows) {
        try (NDManager m = model.newSubManager()) {
            long[][] ids = new long[rows.length][];
            for (int r = 0; r < rows.length; r++) {
                ids[r] = Arrays.stream(rows[r]).asLongStream().toArray();
            }
            return model.logits(m.create(ids)).toFloatArray();
        }
    }

    /**
     * With random A and B on every target, the adapted model equals the base with each targeted
     * weight replaced by {@code W + (alpha / rank) B A} (merged here in float64): the scale, the
     * orientation of A (rank × in) and B (out × rank) and every projection's hook are PEFT's.
     */
    @Test
    void anAdapterIsTheMergedWeightUpdate() throws IOException {
        for (String fixture : List.of("qwen2-bf16-sharded", "qwen3-headdim")) {
            Path dir = FIXTURES.resolve(fixture);
            DecoderConfig config = HfModelDirectory.config(dir).decoder();
            Map<String, float[]> adapters = new HashMap<>();
            SplittableRandom random = new SplittableRandom(7);
            LoraLayout.shapes(config, ALL).forEach((name, shape) -> {
                float[] v = new float[(int) shape.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (random.nextGaussian() * 0.3);
                }
                adapters.put(name, v);
            });
            Map<String, float[]> merged;
            float[] adapted;
            try (DecoderModel base = HfModelDirectory.load(dir, Device.cpu());
                    LoraModel lora = LoraModel.create(base, false, ALL, TensorSource.of(adapters))) {
                adapted = logprobs(lora);
                merged = base.weights();
            }
            for (int layer = 0; layer < config.layers(); layer++) {
                for (String target : ALL.targets()) {
                    String weight = DecoderLayout.layer(layer) + LoraConfig.module(target) + ".weight";
                    long[] shape = DecoderLayout.shapes(config).get(weight).getShape();
                    merged.put(
                            weight,
                            merge(
                                    merged.get(weight),
                                    (int) shape[0],
                                    (int) shape[1],
                                    adapters.get(LoraLayout.a(layer, target)),
                                    adapters.get(LoraLayout.b(layer, target))));
                }
            }
            try (LanguageModel expected = Models.create(config, merged, Device.cpu())) {
                float[] want = logprobs(expected);
                assertThat(adapted).hasSize(want.length);
                for (int i = 0; i < want.length; i++) {
                    assertThat(adapted[i]).as(fixture + " logprob " + i).isCloseTo(want[i], within(2e-4f));
                }
            }
        }
    }

    private static float[] merge(float[] w, int out, int in, float[] a, float[] b) {
        int r = ALL.rank();
        float[] m = w.clone();
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                double sum = 0;
                for (int k = 0; k < r; k++) {
                    sum += (double) b[o * r + k] * a[k * in + i];
                }
                m[o * in + i] = (float) (w[o * in + i] + ALL.scale() * sum);
            }
        }
        return m;
    }

    /** PEFT's layout: A (rank × in) Kaiming-uniform within ±1/sqrt(in), B (out × rank) zero, named per module. */
    @Test
    void freshAdaptersAreInitialisedAndNamedAsPeftDoes() {
        DecoderConfig config =
                new DecoderConfig(DecoderConfig.QWEN3, 50, 16, 24, 2, 4, 2, 6, 1e-6, 1e6, null, 32, true);
        Map<String, float[]> fresh = LoraLayout.initialWeights(config, ALL, new SplittableRandom(1));
        assertThat(fresh)
                .containsKeys(
                        "model.layers.0.self_attn.q_proj.lora_A.weight", "model.layers.1.mlp.down_proj.lora_B.weight");
        assertThat(LoraLayout.shapes(config, ALL)
                        .get("model.layers.0.self_attn.k_proj.lora_B.weight")
                        .getShape())
                .containsExactly(12, 4);
        assertThat(LoraLayout.shapes(config, ALL)
                        .get("model.layers.0.mlp.down_proj.lora_A.weight")
                        .getShape())
                .containsExactly(4, 24);
        fresh.forEach((name, v) -> {
            if (name.contains("lora_B")) {
                assertThat(v).as(name).containsOnly(0f);
            } else {
                double bound =
                        1 / Math.sqrt(LoraLayout.shapes(config, ALL).get(name).get(1));
                double largest = 0;
                for (float x : v) {
                    largest = Math.max(largest, Math.abs(x));
                }
                assertThat(largest).as(name).isLessThanOrEqualTo(bound).isGreaterThan(bound / 2);
            }
        });
        assertThatThrownBy(() -> new LoraConfig(4, 8, 0, List.of("qkv")))
                .hasMessageContaining("model.lora.targets")
                .hasMessageContaining("q_proj");
        assertThat(new LoraConfig(4, 8, 0, List.of("v_proj", "q_proj")).targets())
                .containsExactly("q_proj", "v_proj");
    }

    /** Dropout on the adapters' input applies while they train, never when they are frozen (generation). */
    @Test
    void dropoutAppliesWhileTrainingOnly() throws IOException {
        LoraConfig dropping = new LoraConfig(4, 8, 0.5, List.of());
        try (DecoderModel base = HfModelDirectory.load(FIXTURES.resolve("llama-tied"), Device.cpu())) {
            Map<String, float[]> weights =
                    LoraLayout.initialWeights(base.decoderConfig(), dropping, new SplittableRandom(3));
            weights.replaceAll((name, v) -> {
                if (name.contains("lora_B")) {
                    Arrays.fill(v, 0.2f);
                }
                return v;
            });
            try (LoraModel lora = LoraModel.create(base, false, dropping, TensorSource.of(weights))) {
                float[] frozen = logprobs(lora);
                assertThat(logprobs(lora)).as("frozen: deterministic").containsExactly(frozen);
                lora.setTrainable(true);
                assertThat(logprobs(lora))
                        .as("training: adapter inputs dropped")
                        .isNotEqualTo(frozen);
                lora.setTrainable(false);
                assertThat(logprobs(lora)).containsExactly(frozen);
            }
        }
    }

    /** The trainable adapters carry gradients; the base never does (the scale is an array kept alive). */
    @Test
    void onlyTheAdaptersNeedGradients() throws IOException {
        try (DecoderModel base = HfModelDirectory.load(FIXTURES.resolve("llama-tied"), Device.cpu());
                LoraModel lora = LoraModel.initialize(base, false, ALL, 3)) {
            lora.setTrainable(true);
            assertThat(lora.parameters().values()).allMatch(NDArray::hasGradient);
            assertThat(base.parameters().values()).noneMatch(NDArray::hasGradient);
        }
    }
}
