package io.rollstream.learner;

import static io.rollstream.learner.TrainerFixtures.PAD;
import static io.rollstream.learner.TrainerFixtures.assertGradientsMatch;
import static io.rollstream.learner.TrainerFixtures.gradients;
import static io.rollstream.learner.TrainerFixtures.rlBatch;
import static io.rollstream.learner.TrainerFixtures.tinyModel;
import static io.rollstream.learner.TrainerFixtures.trainer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.model.DecoderModel;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.LoraConfig;
import io.rollstream.model.LoraModel;
import io.rollstream.model.SequenceBatch;
import io.rollstream.model.TokenLogprobs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The learner runs a model's output head in chunks of rows and writes the head's backward itself
 * ({@link OutputHeadGradient}); its gradients must be autograd's through the whole model in one
 * piece: tied and untied heads, learned position embeddings (sparse lookups), LoRA (frozen head),
 * a temperature, every row a chunk of its own.
 */
@Tag("djl")
class OutputHeadGradientTest {

    private static final Path FIXTURES = Path.of("src/test/resources/hf-models");
    private static final double TEMPERATURE = 0.8; // TrainerFixtures.trainer's

    @Test
    void aTiedGptWithLearnedPositions() {
        try (LanguageModel model = tinyModel(3)) {
            assertChunkedHeadMatchesAutograd(model);
        }
    }

    @Test
    void aTiedLlama() throws IOException {
        try (LanguageModel model = HfModelDirectory.load(FIXTURES.resolve("llama-tied"), Device.cpu())) {
            assertChunkedHeadMatchesAutograd(model);
        }
    }

    @Test
    void anUntiedQwen2WithBiases() throws IOException {
        try (LanguageModel model = HfModelDirectory.load(FIXTURES.resolve("qwen2-bf16-sharded"), Device.cpu())) {
            assertChunkedHeadMatchesAutograd(model);
        }
    }

    @Test
    void loraAdaptersUnderAFrozenHead() throws IOException {
        DecoderModel base = (DecoderModel) HfModelDirectory.load(FIXTURES.resolve("llama-tied"), Device.cpu());
        LoraConfig lora = new LoraConfig(2, 4, 0.0, List.of());
        try (LoraModel model = LoraModel.initialize(base, true, lora, 5)) {
            // Non-zero B, so that every adapter has a gradient (zero-initialised B gives A none).
            JniUtils.setGradMode(false);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                model.parameters()
                        .values()
                        .forEach(p -> p.addi(p.getManager().randomNormal(0, 0.05f, p.getShape(), p.getDataType())));
            }
            assertChunkedHeadMatchesAutograd(model);
        }
    }

    /** A head matrix of several slices ({@link OutputHeadGradient#SLICE_BYTES}): each slice of its gradient is autograd's. */
    @Test
    void aVocabularyOfSeveralSlicesGetsAutogradsGradient() {
        int vocab = 5000;
        int width = 640; // 12.2 MiB: two slices
        assertThat((long) vocab * width * Float.BYTES).isGreaterThan(OutputHeadGradient.SLICE_BYTES);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray matrix = manager.randomNormal(new Shape(vocab, width));
            NDArray hidden = manager.randomNormal(new Shape(2, 3, width));
            NDArray upstream = manager.randomNormal(new Shape(2, 3, vocab));
            matrix.setRequiresGradient(true);
            hidden.setRequiresGradient(true);
            float[] expectedMatrix;
            float[] expectedHidden;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(
                        hidden.matMul(matrix.transpose()).mul(upstream).sum());
                expectedMatrix = matrix.getGradient().toFloatArray();
                expectedHidden = hidden.getGradient().toFloatArray();
            }
            JniUtils.zeroGrad((PtNDArray) matrix);
            NDArray hiddenGradient = hidden.zerosLike();
            OutputHeadGradient.accumulate(upstream, hidden.stopGradient(), matrix, hiddenGradient);
            assertClose(matrix.getGradient().toFloatArray(), expectedMatrix);
            assertClose(hiddenGradient.toFloatArray(), expectedHidden);
        }
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).isCloseTo(expected[i], within(1e-4f + 1e-4f * Math.abs(expected[i])));
        }
    }

    private static void assertChunkedHeadMatchesAutograd(LanguageModel model) {
        List<TrainingExample> batch = rlBatch(6, 2, 17);
        Map<String, float[]> expected = autogradSftGradients(model, batch);
        for (long chunkBytes : new long[] {1, PolicyTrainer.HEAD_CHUNK_LOGITS_BYTES}) {
            PolicyTrainer trainer = trainer(model, batch.size(), PolicyTrainer.OptimizerStep.PER_BATCH);
            trainer.setHeadChunkBytes(chunkBytes);
            if (chunkBytes == 1) {
                assertThat(trainer.headRows(10)).isEqualTo(1);
            } else {
                assertThat(trainer.headRows(10)).isGreaterThanOrEqualTo(batch.size());
            }
            assertGradientsMatch(gradients(trainer, batch, new SftLoss()), expected, 1f);
        }
    }

    /**
     * The SFT gradient (token mean over completions, tempered) by autograd from one forward of the
     * whole model, the head included, and the gradients then zeroed.
     */
    private static Map<String, float[]> autogradSftGradients(LanguageModel model, List<TrainingExample> batch) {
        model.setTrainable(true);
        GradientNorms.allocate(model.parameters().values()); // as the trainer does: dense, so sparse lookups add on
        SequenceBatch sequences = SequenceBatch.of(
                batch.stream().map(TrainingExample::prompt).toList(),
                batch.stream().map(TrainingExample::completion).toList(),
                PAD,
                model.spec().contextLength());
        int tokens = batch.stream().mapToInt(e -> e.completion().length).sum();
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager manager = model.newSubManager();
                NDScope scope = new NDScope();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            scope.suppressNotUsedWarning();
            NDArray logprobs = TokenLogprobs.forward(model, manager, sequences, TEMPERATURE)
                    .get(0);
            NDArray completion =
                    manager.create(sequences.completionMask(), new Shape(sequences.rows(), sequences.width()));
            collector.backward(logprobs.mul(completion).sum().neg().div(manager.create((float) tokens)));
            model.parameters().forEach((name, p) -> {
                out.put(name, p.getGradient().toFloatArray());
                JniUtils.zeroGrad((PtNDArray) p);
            });
        }
        return out;
    }
}
