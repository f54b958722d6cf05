package io.rollstream.learner;

import static io.rollstream.learner.TrainerFixtures.assertGradientsMatch;
import static io.rollstream.learner.TrainerFixtures.gradients;
import static io.rollstream.learner.TrainerFixtures.rlBatch;
import static io.rollstream.learner.TrainerFixtures.trainer;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.Models;
import io.rollstream.model.TokenLogprobs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every learner on the Llama-family decoder, loaded from the Hugging Face fixtures: SFT lowers the
 * loss, GRPO (per batch and per prompt) and reverse-KL steps apply finite updates, micro-batches
 * (right padding, grouped-query attention, biases) give the gradient of the whole batch, and
 * gradients survive a GC between forward and backward (the DJL scalar pitfall).
 */
@Tag("djl")
class DecoderTrainingTest {

    private static final Path FIXTURES = Path.of("src/test/resources/hf-models");

    private static LanguageModel load(String fixture) throws IOException {
        return HfModelDirectory.load(FIXTURES.resolve(fixture), Device.cpu());
    }

    @Test
    void sftLowersTheLossOnAFixture() throws IOException {
        List<TrainingExample> demos = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            demos.add(TrainingExample.demonstration(new int[] {1, 10 + i, 20 + i}, new int[] {30 + i, 40 + 2 * i, 2}));
        }
        try (LanguageModel model = load("qwen3-headdim")) {
            PolicyTrainer trainer = trainer(model, 4, PolicyTrainer.OptimizerStep.PER_BATCH, 3e-3);
            SftLoss sft = new SftLoss();
            double first = trainer.step(demos, sft).loss();
            double last = first;
            for (int step = 0; step < 15; step++) {
                StepResult r = trainer.step(demos, sft);
                assertThat(r.skippedNonFinite()).isZero();
                last = r.loss();
            }
            assertThat(last).isLessThan(0.5 * first);
        }
    }

    @Test
    void everyAlgorithmStepsAndChangesTheWeights() throws IOException {
        List<TrainingExample> batch = rlBatch(12, 3, 5);
        List<TrainingExample> distill = batch.stream()
                .map(e -> new TrainingExample(
                        e.prompt(), e.completion(), e.behaviourLogprobs(), e.behaviourLogprobs(), e.group()))
                .toList();
        record Case(Loss loss, PolicyTrainer.OptimizerStep mode, List<TrainingExample> batch, int steps) {}
        List<Case> cases = List.of(
                new Case(new DppoLoss(DppoLoss.Config.defaults()), PolicyTrainer.OptimizerStep.PER_BATCH, batch, 1),
                new Case(new DppoLoss(DppoLoss.Config.defaults()), PolicyTrainer.OptimizerStep.PER_PROMPT, batch, 3),
                new Case(new ReverseKlLoss(), PolicyTrainer.OptimizerStep.PER_BATCH, distill, 1));
        for (Case c : cases) {
            try (LanguageModel model = load("qwen2-bf16-sharded")) {
                Map<String, float[]> before = model.weights();
                StepResult r = trainer(model, 5, c.mode()).step(c.batch(), c.loss());
                assertThat(r.optimizerSteps())
                        .as(c.loss().name() + " " + c.mode())
                        .isEqualTo(c.steps());
                assertThat(r.skippedNonFinite()).isZero();
                Map<String, float[]> after = model.weights();
                for (String name : before.keySet()) {
                    assertThat(Arrays.equals(before.get(name), after.get(name)))
                            .as(name)
                            .isFalse();
                }
            }
        }
    }

    @Test
    void microBatchesGiveTheGradientOfTheWholeBatch() throws IOException {
        List<TrainingExample> batch = rlBatch(12, 4, 11);
        Loss pg = new DppoLoss(DppoLoss.Config.defaults());
        try (LanguageModel a = load("llama-tied");
                LanguageModel b = load("llama-tied")) {
            Map<String, float[]> accumulated =
                    gradients(trainer(a, 3, PolicyTrainer.OptimizerStep.PER_BATCH), batch, pg);
            Map<String, float[]> whole = gradients(trainer(b, 12, PolicyTrainer.OptimizerStep.PER_BATCH), batch, pg);
            assertGradientsMatch(accumulated, whole, 1f);
        }
    }

    @Test
    void gradientsStayFiniteAndIdenticalWithGcBetweenForwardAndBackward() throws IOException {
        List<TrainingExample> batch = rlBatch(8, 2, 21);
        Loss pg = new DppoLoss(DppoLoss.Config.defaults());
        try (LanguageModel model = load("qwen3-headdim")) {
            PolicyTrainer trainer = trainer(model, 4, PolicyTrainer.OptimizerStep.PER_BATCH);
            trainer.setBeforeBackward(() -> {
                System.gc();
                System.runFinalization();
            });
            Map<String, float[]> first = gradients(trainer, batch, pg);
            for (int round = 0; round < 10; round++) {
                Map<String, float[]> again = gradients(trainer, batch, pg);
                for (String name : first.keySet()) {
                    for (float g : again.get(name)) {
                        assertThat(Float.isFinite(g)).as(name).isTrue();
                    }
                    assertThat(again.get(name)).as("round %d, %s", round, name).containsExactly(first.get(name));
                }
            }
        }
    }

    /** A frozen model computes with fused copies of its projections: training must not leave them stale. */
    @Test
    void aModelScoredTrainedAndFrozenAgainScoresWithItsNewWeights() throws IOException {
        List<int[]> prompts = List.of(new int[] {356, 40, 50});
        List<int[]> completions = List.of(new int[] {60, 70, 358});
        try (LanguageModel model = load("qwen2-bf16-sharded")) {
            float[] before = TokenLogprobs.score(model, prompts, completions, 0, 1.0)[0];
            trainer(model, 4, PolicyTrainer.OptimizerStep.PER_BATCH, 1e-2).step(rlBatch(8, 2, 3), new SftLoss());
            model.setTrainable(false);
            float[] after = TokenLogprobs.score(model, prompts, completions, 0, 1.0)[0];
            try (LanguageModel rebuilt = Models.create(model.spec(), model.weights(), Device.cpu())) {
                assertThat(after)
                        .isNotEqualTo(before)
                        .containsExactly(TokenLogprobs.score(rebuilt, prompts, completions, 0, 1.0)[0]);
            }
        }
    }
}
