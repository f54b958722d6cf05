package io.rollstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.sampling.Completion;
import io.rollstream.sampling.GenerationRequest;
import io.rollstream.sampling.SamplingConfig;
import io.rollstream.sampling.SamplingEngine;
import io.rollstream.testing.NativeArrays;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Llama-family decoder in the sampling engine, on random models of every variant (built-in
 * llama; grouped-query attention with q/k norm and a head_dim of its own; q/k/v biases with an
 * untied head; and a Hugging Face fixture, whose large weights make sampling far from uniform):
 * the KV cache changes nothing, and the behaviour log-probabilities are the
 * teacher-forced ones. Agreement with an independent implementation is {@code HfFixturesTest}'s.
 */
@Tag("djl")
class DecoderModelTest {

    private static final int PAD = 0;
    private static final int BOS = 1;
    private static final int EOS = 2;
    private static final int VOCAB = 40; // the fixture has more ids; these prompts use the first 40

    private static List<LanguageModel> models;

    @BeforeAll
    static void models() throws IOException {
        models = List.of(
                HfModelDirectory.load(Path.of("src/test/resources/hf-models/qwen2-bf16-sharded"), Device.cpu()),
                Models.initialize(
                        new ModelConfig(VOCAB, 2, 4, 32, 48, 64, null, ModelConfig.Architecture.LLAMA),
                        3,
                        Device.cpu()),
                Models.initialize(
                        new DecoderConfig(DecoderConfig.QWEN3, VOCAB, 24, 40, 2, 6, 2, 10, 1e-6, 1e6, null, 64, true),
                        4,
                        Device.cpu()),
                Models.initialize(
                        new DecoderConfig(
                                DecoderConfig.QWEN2,
                                VOCAB,
                                32,
                                40,
                                2,
                                4,
                                1,
                                8,
                                1e-6,
                                1e4,
                                new RopeScaling(RopeScaling.LINEAR, 2.0, null, null, null),
                                64,
                                false),
                        5,
                        Device.cpu()));
    }

    @AfterAll
    static void close() {
        models.forEach(LanguageModel::close);
    }

    /** Prompts of 1 to 9 tokens (BOS, then ids below {@link #VOCAB}), seeded from {@code seedBase}. */
    static List<GenerationRequest> requests(int n, long seedBase) {
        List<GenerationRequest> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] prompt = new int[1 + (i * 5) % 9];
            prompt[0] = BOS;
            for (int j = 1; j < prompt.length; j++) {
                prompt[j] = 3 + (i * 7 + j * 3) % (VOCAB - 3);
            }
            out.add(new GenerationRequest(prompt, seedBase + i));
        }
        return out;
    }

    @Test
    void kvCacheGivesTheSameTokensAndLogprobsAsRecomputing() {
        for (LanguageModel model : models) {
            List<GenerationRequest> reqs = requests(10, 100);
            SamplingConfig params = SamplingConfig.sample(24);
            List<Completion> cached = new SamplingEngine(List.of(EOS), PAD, true).generate(model, reqs, params);
            List<Completion> recomputed = new SamplingEngine(List.of(EOS), PAD, false).generate(model, reqs, params);
            for (int i = 0; i < reqs.size(); i++) {
                assertThat(cached.get(i).tokens())
                        .as(model.spec().describe())
                        .isEqualTo(recomputed.get(i).tokens());
                float[] a = cached.get(i).logprobs();
                float[] b = recomputed.get(i).logprobs();
                for (int j = 0; j < a.length; j++) {
                    assertThat(a[j]).isCloseTo(b[j], within(1e-4f));
                }
            }
        }
    }

    @Test
    void behaviourLogprobsMatchTeacherForcedScoring() {
        for (LanguageModel model : models) {
            List<GenerationRequest> reqs = requests(8, 5);
            List<Completion> out = new SamplingEngine(List.of(EOS), PAD, true)
                    .generate(model, reqs, new SamplingConfig(0.7, 1.0, 0, 20, false));
            float[][] scored = TokenLogprobs.score(
                    model,
                    reqs.stream().map(GenerationRequest::prompt).toList(),
                    out.stream().map(Completion::tokens).toList(),
                    PAD,
                    0.7);
            for (int i = 0; i < reqs.size(); i++) {
                assertThat(scored[i]).hasSize(out.get(i).tokens().length);
                for (int j = 0; j < scored[i].length; j++) {
                    assertThat(scored[i][j])
                            .as(model.spec().describe())
                            .isCloseTo(out.get(i).logprobs()[j], within(1e-4f));
                }
            }
        }
    }

    @Test
    void repeatedGenerationLeavesNoNativeArraysBehind() {
        SamplingEngine engine = new SamplingEngine(List.of(EOS), PAD, true);
        List<GenerationRequest> reqs = requests(6, 17);
        engine.generate(models.get(1), reqs, SamplingConfig.sample(8));
        int live = NativeArrays.live();
        for (int i = 0; i < 300; i++) {
            engine.generate(models.get(i % models.size()), reqs, SamplingConfig.sample(8));
        }
        assertThat(NativeArrays.live()).isEqualTo(live);
    }

    /**
     * The fused projections a frozen model multiplies by are its parameters, not copies of them: a
     * change to one parameter (q, k, v, gate, up, a q/k/v bias) changes the frozen forward exactly as it
     * changes the unfused one of a trainable model, and every parameter keeps its own name and shape.
     */
    @Test
    void theFusedProjectionsAreTheParametersThemselves() {
        for (LanguageModel model : models) {
            JniUtils.setGradMode(false);
            try (NDManager manager = model.newSubManager()) {
                NDArray ids = manager.create(new long[] {1, 5, 9, 13, 17}).expandDims(0);
                float[] before = model.logits(ids).toFloatArray();
                for (String name : model.parameters().keySet()) {
                    if (name.contains("_proj.")) {
                        model.parameters().get(name).addi(0.01f);
                    }
                }
                float[] frozen = model.logits(ids).toFloatArray(); // fused q/k/v and gate/up
                model.setTrainable(true);
                float[] trainable = model.logits(ids).toFloatArray(); // separate projections
                model.setTrainable(false);
                assertThat(frozen).isNotEqualTo(before);
                for (int i = 0; i < frozen.length; i++) {
                    assertThat(frozen[i]).isCloseTo(trainable[i], within(1e-4f));
                }
                for (String name : model.parameters().keySet()) {
                    if (name.contains("_proj.")) {
                        model.parameters().get(name).subi(0.01f);
                    }
                }
                assertThat(model.logits(ids).toFloatArray()).containsExactly(before, within(1e-5f));
            }
        }
    }

    @Test
    void weightsRebuildTheSameModel() {
        for (LanguageModel model : models) {
            try (LanguageModel copy = Models.create(model.spec(), model.weights(), Device.cpu())) {
                int[] prompt = requests(3, 0).get(2).prompt();
                List<int[]> prompts = List.of(prompt);
                List<int[]> completions = List.of(new int[] {5, 6, 7});
                assertThat(TokenLogprobs.score(copy, prompts, completions, PAD, 1.0)[0])
                        .containsExactly(TokenLogprobs.score(model, prompts, completions, PAD, 1.0)[0]);
            }
        }
    }
}
