package io.rollstream.learner;

import static io.rollstream.learner.TrainerFixtures.assertGradientsMatch;
import static io.rollstream.learner.TrainerFixtures.gradients;
import static io.rollstream.learner.TrainerFixtures.rlBatch;
import static io.rollstream.learner.TrainerFixtures.tinyModel;
import static io.rollstream.learner.TrainerFixtures.trainer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.model.GptModel;
import io.rollstream.model.SequenceBatch;
import io.rollstream.testing.NativeArrays;
import io.rollstream.tokenizer.TokenizerSpec;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("djl")
class PolicyTrainerTest {

    private static final Loss PG = new DppoLoss(DppoLoss.Config.defaults());

    @Test
    void fourMicroBatchesGiveTheGradientOfOneBatchFourTimesLarger() {
        List<TrainingExample> batch = rlBatch(16, 4, 11);
        try (GptModel a = tinyModel(3);
                GptModel b = tinyModel(3)) {
            Map<String, float[]> accumulated =
                    gradients(trainer(a, 4, PolicyTrainer.OptimizerStep.PER_BATCH), batch, PG);
            Map<String, float[]> whole = gradients(trainer(b, 16, PolicyTrainer.OptimizerStep.PER_BATCH), batch, PG);
            assertGradientsMatch(accumulated, whole, 1f);
        }
    }

    /** Micro-batching gives the gradient of one batch for every aggregation (weights span the update). */
    @Test
    void everyAggregationAccumulatesAcrossMicroBatchesExactly() {
        List<TrainingExample> batch = rlBatch(12, 3, 17);
        for (LossAggregation aggregation : LossAggregation.values()) {
            Objective objective = new Objective(PG, aggregation, 8, null);
            try (GptModel a = tinyModel(3);
                    GptModel b = tinyModel(3)) {
                assertGradientsMatch(
                        gradients(trainer(a, 5, PolicyTrainer.OptimizerStep.PER_BATCH), batch, objective),
                        gradients(trainer(b, 12, PolicyTrainer.OptimizerStep.PER_BATCH), batch, objective),
                        1f);
            }
        }
    }

    /**
     * The entropy metric is that of the sampling distribution, softmax(logits / T), computed once
     * (it was divided by T twice). Expected: the model's raw logits, tempered and summed here in
     * doubles over the completion positions.
     */
    @Test
    void entropyIsThatOfTheTemperedSamplingDistribution() {
        List<TrainingExample> batch = rlBatch(6, 2, 31);
        double temperature = 0.5;
        try (GptModel model = tinyModel(12)) {
            SequenceBatch sequences = SequenceBatch.of(
                    batch.stream().map(TrainingExample::prompt).toList(),
                    batch.stream().map(TrainingExample::completion).toList(),
                    TrainerFixtures.PAD,
                    model.config().contextLength());
            float[] logits;
            try (NDManager m = model.newSubManager();
                    NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                logits = model.logits(m.create(sequences.inputs(), new Shape(sequences.rows(), sequences.width())))
                        .toFloatArray();
            }
            double expected = meanEntropy(logits, sequences.completionMask(), temperature);
            double squared = meanEntropy(logits, sequences.completionMask(), temperature * temperature);
            assertThat(Math.abs(expected - squared)).isGreaterThan(0.01); // the test tells the two apart
            PolicyTrainer trainer = new PolicyTrainer(
                    model,
                    new AdamW(new AdamW.Config(0, 0.9, 0.99, 1e-8, 0, 0), model.parameters()),
                    new PolicyTrainer.Config(1.0, 4, temperature, PolicyTrainer.OptimizerStep.PER_BATCH),
                    TrainerFixtures.PAD);
            assertThat(trainer.step(batch, PG).entropy()).isCloseTo(expected, within(1e-5));
        }
    }

    private static double meanEntropy(float[] logits, float[] mask, double temperature) {
        int vocab = TrainerFixtures.VOCAB;
        double sum = 0;
        int tokens = 0;
        for (int pos = 0; pos < mask.length; pos++) {
            if (mask[pos] == 0) {
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < vocab; j++) {
                max = Math.max(max, logits[pos * vocab + j] / temperature);
            }
            double z = 0;
            for (int j = 0; j < vocab; j++) {
                z += Math.exp(logits[pos * vocab + j] / temperature - max);
            }
            double h = 0;
            for (int j = 0; j < vocab; j++) {
                double logP = logits[pos * vocab + j] / temperature - max - Math.log(z);
                h -= Math.exp(logP) * logP;
            }
            sum += h;
            tokens++;
        }
        return sum / tokens;
    }

    /** An example out of the loss (overlong filtering) contributes no gradient and no normaliser tokens. */
    @Test
    void examplesOutOfTheLossContributeNothing() {
        List<TrainingExample> batch = rlBatch(8, 2, 41);
        List<TrainingExample> filtered = new ArrayList<>();
        List<TrainingExample> kept = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            TrainingExample e = batch.get(i);
            boolean in = i % 3 != 0;
            filtered.add(new TrainingExample(
                    e.prompt(), e.completion(), e.advantages(), e.behaviourLogprobs(), e.group(), in));
            if (in) {
                kept.add(e);
            }
        }
        for (LossAggregation aggregation : LossAggregation.values()) {
            Objective objective = new Objective(PG, aggregation, 8, null);
            try (GptModel a = tinyModel(5);
                    GptModel b = tinyModel(5)) {
                assertGradientsMatch(
                        gradients(trainer(a, 3, PolicyTrainer.OptimizerStep.PER_BATCH), filtered, objective),
                        gradients(trainer(b, 3, PolicyTrainer.OptimizerStep.PER_BATCH), kept, objective),
                        1f);
            }
        }
    }

    /**
     * The KL penalty to a frozen reference: zero at the reference itself (and so no gradient with
     * zero advantages), positive once the policy moved; the reference never changes.
     */
    @Test
    void theReferencePenaltyIsMeasuredAgainstAFrozenModel() {
        List<TrainingExample> zeroAdvantage = new ArrayList<>();
        for (TrainingExample e : rlBatch(6, 2, 51)) {
            zeroAdvantage.add(new TrainingExample(
                    e.prompt(), e.completion(), new float[e.completion().length], e.behaviourLogprobs(), e.group()));
        }
        Loss noKl = new DppoLoss(new DppoLoss.Config(DppoLoss.Masking.NONE, 0.2, 0.2, 0.125, 8, 0));
        Objective withReference = new Objective(
                noKl,
                LossAggregation.TOKEN_MEAN,
                8,
                new ReferenceKl(new ReferenceKl.Config(0.5, ReferenceKl.Estimator.K2)));
        try (GptModel model = tinyModel(8);
                GptModel frozen = tinyModel(8)) {
            PolicyTrainer trainer = trainer(model, 4, PolicyTrainer.OptimizerStep.PER_BATCH);
            trainer.useReference(frozen);
            Map<String, float[]> frozenWeights = frozen.weights();
            StepResult atStart = trainer.step(zeroAdvantage, withReference);
            assertThat(atStart.diagnostics().get("kl_to_reference")).isCloseTo(0.0, within(1e-7));
            assertThat(atStart.skippedZeroGradient()).isEqualTo(1); // k2 has zero slope at the reference
            trainer.step(rlBatch(6, 2, 52), PG); // move away
            StepResult moved = trainer.step(zeroAdvantage, withReference);
            assertThat(moved.diagnostics().get("kl_to_reference")).isPositive();
            assertThat(moved.optimizerSteps()).isEqualTo(1); // the penalty alone has a gradient now
            frozen.weights().forEach((name, w) -> assertThat(w).as(name).containsExactly(frozenWeights.get(name)));
        }
        try (GptModel model = tinyModel(8)) {
            PolicyTrainer without = trainer(model, 4, PolicyTrainer.OptimizerStep.PER_BATCH);
            assertThatThrownBy(() -> without.step(zeroAdvantage, withReference))
                    .hasMessageContaining("learner.kl_to_reference");
        }
    }

    @Test
    void clippingBoundsTheGlobalNorm() {
        try (GptModel model = tinyModel(5)) {
            PolicyTrainer trainer = trainer(model, 8, PolicyTrainer.OptimizerStep.PER_BATCH);
            trainer.accumulate(rlBatch(8, 2, 1), PG);
            var params = model.parameters().values();
            double before = GradientNorms.globalNorm(params);
            assertThat(before).isGreaterThan(0.05);
            GradientNorms.clip(params, before, 0.05);
            assertThat(GradientNorms.globalNorm(params)).isLessThanOrEqualTo(0.05 + 1e-6);
            GradientNorms.zero(params);
        }
    }

    /**
     * DJL's scalar mul/div(Number) frees its scalar before backward reads it; a GC between forward
     * and backward then corrupts gradients at random. Temperature 0.8 and the KL term exercise every
     * scalar the loss uses.
     */
    @Test
    void gradientsStayFiniteAndIdenticalWithGcBetweenForwardAndBackward() {
        List<TrainingExample> batch = rlBatch(12, 3, 21);
        try (GptModel model = tinyModel(9)) {
            PolicyTrainer trainer = trainer(model, 4, PolicyTrainer.OptimizerStep.PER_BATCH);
            trainer.setBeforeBackward(() -> {
                System.gc();
                System.runFinalization();
            });
            Map<String, float[]> first = gradients(trainer, batch, PG);
            for (int round = 0; round < 25; round++) {
                Map<String, float[]> again = gradients(trainer, batch, PG);
                for (String name : first.keySet()) {
                    for (float g : again.get(name)) {
                        assertThat(Float.isFinite(g)).as(name).isTrue();
                    }
                    assertThat(again.get(name)).as("round %d, %s", round, name).containsExactly(first.get(name));
                }
            }
        }
    }

    @Test
    void nonFiniteLossSkipsTheStepAndCountsIt() {
        List<TrainingExample> batch = new ArrayList<>(rlBatch(4, 1, 2));
        TrainingExample bad = batch.get(0);
        float[] nan = bad.advantages().clone();
        nan[0] = Float.NaN;
        batch.set(0, new TrainingExample(bad.prompt(), bad.completion(), nan, bad.behaviourLogprobs(), bad.group()));
        try (GptModel model = tinyModel(1)) {
            PolicyTrainer trainer = trainer(model, 4, PolicyTrainer.OptimizerStep.PER_BATCH);
            Map<String, float[]> before = model.weights();
            StepResult result = trainer.step(batch, PG);
            assertThat(result.skippedNonFinite()).isEqualTo(1);
            assertThat(result.optimizerSteps()).isZero();
            assertThat(trainer.optimizer().step()).isZero();
            model.weights().forEach((name, w) -> assertThat(w).as(name).containsExactly(before.get(name)));
            // The next, healthy batch trains normally: the bad gradients were dropped.
            assertThat(trainer.step(rlBatch(4, 1, 3), PG).optimizerSteps()).isEqualTo(1);
        }
    }

    @Test
    void allZeroGradientSkipsTheStep() {
        List<TrainingExample> zero = new ArrayList<>();
        for (TrainingExample e : rlBatch(6, 2, 4)) {
            zero.add(new TrainingExample(
                    e.prompt(), e.completion(), new float[e.completion().length], e.behaviourLogprobs(), e.group()));
        }
        Loss noKl = new DppoLoss(new DppoLoss.Config(DppoLoss.Masking.DPPO, 0.2, 0.2, 0.125, 8, 0));
        try (GptModel model = tinyModel(1)) {
            PolicyTrainer trainer = trainer(model, 4, PolicyTrainer.OptimizerStep.PER_BATCH);
            StepResult result = trainer.step(zero, noKl);
            assertThat(result.skippedZeroGradient()).isEqualTo(1);
            assertThat(trainer.optimizer().step()).isZero();
        }
    }

    @Test
    void aZeroLearningRateStepsAndReportsButLeavesEveryWeightAsItWas() {
        List<TrainingExample> batch = rlBatch(8, 2, 13);
        try (GptModel model = tinyModel(4)) {
            Map<String, float[]> before = model.weights();
            PolicyTrainer frozen = trainer(model, 4, PolicyTrainer.OptimizerStep.PER_BATCH, 0.0);
            for (int i = 0; i < 3; i++) {
                StepResult result = frozen.step(batch, PG);
                assertThat(result.gradNorm()).isPositive();
            }
            assertThat(frozen.optimizer().step()).isEqualTo(3);
            model.weights().forEach((name, w) -> assertThat(w).as(name).containsExactly(before.get(name)));
        }
    }

    @Test
    void perPromptModeStepsOncePerGroupOnThatGroupsAccumulatedGradient() {
        List<TrainingExample> batch = rlBatch(12, 3, 8);
        try (GptModel model = tinyModel(2);
                GptModel reference = tinyModel(2)) {
            PolicyTrainer perPrompt = trainer(model, 2, PolicyTrainer.OptimizerStep.PER_PROMPT);
            StepResult result = perPrompt.step(batch, PG);
            assertThat(result.optimizerSteps()).isEqualTo(3);
            assertThat(perPrompt.optimizer().step()).isEqualTo(3);

            // The same three updates done by hand, group by group, give the same weights.
            PolicyTrainer byHand = trainer(reference, 2, PolicyTrainer.OptimizerStep.PER_BATCH);
            for (String group : List.of("g0", "g1", "g2")) {
                byHand.step(batch.stream().filter(e -> e.group().equals(group)).toList(), PG);
            }
            Map<String, float[]> expected = reference.weights();
            model.weights().forEach((name, w) -> assertThat(w).as(name).containsExactly(expected.get(name)));
        }
    }

    @Test
    void trainingTenStepsEqualsFiveThenSaveLoadAndFiveMore() throws Exception {
        List<List<TrainingExample>> batches = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            batches.add(rlBatch(8, 2, 100 + i));
        }
        TokenizerSpec spec = TokenizerSpec.chars("0123456789+=");
        try (GptModel straight = tinyModel(4)) {
            PolicyTrainer uninterrupted = trainer(straight, 4, PolicyTrainer.OptimizerStep.PER_BATCH);
            batches.forEach(b -> uninterrupted.step(b, PG));
            Checkpoint expected = uninterrupted.checkpoint(10, spec, Map.of());

            PolicyTrainer first = trainer(tinyModel(4), 4, PolicyTrainer.OptimizerStep.PER_BATCH);
            batches.subList(0, 5).forEach(b -> first.step(b, PG));
            byte[] saved = CheckpointFormat.toBytes(first.checkpoint(5, spec, Map.of("run", "t")));
            first.model().close();

            Checkpoint loaded = CheckpointFormat.read(new ByteArrayInputStream(saved));
            assertThat(loaded.step()).isEqualTo(5);
            assertThat(loaded.metadata()).containsEntry("run", "t");
            PolicyTrainer resumed = PolicyTrainer.restore(
                    loaded,
                    first.optimizer().config(),
                    new PolicyTrainer.Config(1.0, 4, 0.8, PolicyTrainer.OptimizerStep.PER_BATCH),
                    TrainerFixtures.PAD,
                    Device.cpu());
            batches.subList(5, 10).forEach(b -> resumed.step(b, PG));
            Checkpoint actual = resumed.checkpoint(10, spec, Map.of());

            assertThat(actual.optimizer().step())
                    .isEqualTo(expected.optimizer().step())
                    .isEqualTo(10);
            for (String name : expected.weights().names()) {
                assertThat(actual.weights().floats(name))
                        .as(name)
                        .containsExactly(expected.weights().floats(name));
                assertThat(actual.optimizer().firstMoments().floats(name))
                        .as(name)
                        .containsExactly(expected.optimizer().firstMoments().floats(name));
                assertThat(actual.optimizer().secondMoments().floats(name))
                        .as(name)
                        .containsExactly(expected.optimizer().secondMoments().floats(name));
            }
            resumed.model().close();
        }
    }

    @Test
    void repeatedTrainingDoesNotGrowNativeMemory() {
        List<TrainingExample> batch = rlBatch(8, 2, 5);
        try (GptModel model = tinyModel(6)) {
            PolicyTrainer trainer = trainer(model, 4, PolicyTrainer.OptimizerStep.PER_BATCH);
            for (int i = 0; i < 50; i++) {
                trainer.step(batch, PG);
            }
            int live = NativeArrays.live();
            for (int i = 0; i < 500; i++) {
                trainer.step(batch, PG);
            }
            assertThat(NativeArrays.live()).isEqualTo(live);
        }
    }
}
