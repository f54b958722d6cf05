package io.rollstream.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import io.rollstream.model.GptModel;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.ModelConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Small models and batches for learner tests. */
final class TrainerFixtures {

    static final int PAD = 0;
    static final int VOCAB = 12;

    private TrainerFixtures() {}

    static GptModel tinyModel(long seed) {
        return GptModel.initialize(
                new ModelConfig(VOCAB, 2, 2, 16, 32, 24, ModelConfig.Positions.LEARNED), seed, Device.cpu());
    }

    static PolicyTrainer trainer(LanguageModel model, int microBatch, PolicyTrainer.OptimizerStep mode) {
        return trainer(model, microBatch, mode, 1e-3);
    }

    static PolicyTrainer trainer(
            LanguageModel model, int microBatch, PolicyTrainer.OptimizerStep mode, double learningRate) {
        return new PolicyTrainer(
                model,
                new AdamW(new AdamW.Config(learningRate, 0.9, 0.99, 1e-8, 0.01, 0), model.parameters()),
                new PolicyTrainer.Config(1.0, microBatch, 0.8, mode),
                PAD);
    }

    /** Examples of varying lengths with behaviour logprobs and advantages, in {@code groups} groups. */
    static List<TrainingExample> rlBatch(int rows, int groups, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            int[] prompt = tokens(random, 1 + random.nextInt(5));
            prompt[0] = 1;
            int[] completion = tokens(random, 1 + random.nextInt(8));
            float[] behaviour = new float[completion.length];
            for (int j = 0; j < behaviour.length; j++) {
                behaviour[j] = (float) -(0.5 + 2 * random.nextDouble());
            }
            float advantage = (float) (random.nextDouble() * 2 - 1);
            out.add(new TrainingExample(
                    prompt,
                    completion,
                    TrainingExample.broadcast(advantage, completion.length),
                    behaviour,
                    "g" + (i % groups)));
        }
        return out;
    }

    /** The gradients {@link PolicyTrainer#accumulate} leaves on the parameters, which are then zeroed. */
    static Map<String, float[]> gradients(PolicyTrainer trainer, List<TrainingExample> batch, Loss loss) {
        return gradients(trainer, batch, Objective.of(loss));
    }

    /** The gradients {@link PolicyTrainer#accumulate} leaves for {@code objective}, which are then zeroed. */
    static Map<String, float[]> gradients(PolicyTrainer trainer, List<TrainingExample> batch, Objective objective) {
        trainer.accumulate(batch, objective);
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            trainer.model()
                    .parameters()
                    .forEach((name, p) -> out.put(name, p.getGradient().toFloatArray()));
        }
        GradientNorms.zero(trainer.model().parameters().values());
        return out;
    }

    /** {@code actual} equals {@code scale × expected} up to float rounding, and the gradients are not all zero. */
    static void assertGradientsMatch(Map<String, float[]> actual, Map<String, float[]> expected, float scale) {
        double maxAbs = 0;
        for (String name : expected.keySet()) {
            float[] x = actual.get(name);
            float[] y = expected.get(name);
            for (int i = 0; i < x.length; i++) {
                float want = scale * y[i];
                assertThat(x[i]).as(name).isCloseTo(want, within(1e-6f + 1e-4f * Math.abs(want)));
                maxAbs = Math.max(maxAbs, Math.abs(want));
            }
        }
        assertThat(maxAbs).isGreaterThan(1e-4); // the comparison is not between zeros
    }

    private static int[] tokens(SplittableRandom random, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = 3 + random.nextInt(VOCAB - 3);
        }
        return t;
    }
}
