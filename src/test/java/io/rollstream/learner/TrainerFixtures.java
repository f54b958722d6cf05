package io.rollstream.learner;

import ai.djl.Device;

import io.rollstream.model.GptModel;
import io.rollstream.model.ModelConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small models and batches for learner tests. */
final class TrainerFixtures {

    static final int PAD = 0;
    static final int VOCAB = 12;

    private TrainerFixtures() {}

    static GptModel tinyModel(long seed) {
        return GptModel.initialize(new ModelConfig(VOCAB, 2, 2, 16, 32, 24, ModelConfig.Positions.LEARNED), seed,
                Device.cpu());
    }

    static PolicyTrainer trainer(GptModel model, int microBatch, PolicyTrainer.OptimizerStep mode) {
        return new PolicyTrainer(model, new AdamW(new AdamW.Config(1e-3, 0.9, 0.99, 1e-8, 0.01, 0), model.parameters()),
                new PolicyTrainer.Config(1.0, microBatch, 0.8, mode), PAD);
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
            out.add(new TrainingExample(prompt, completion, TrainingExample.broadcast(advantage, completion.length),
                    behaviour, "g" + (i % groups)));
        }
        return out;
    }

    private static int[] tokens(SplittableRandom random, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = 3 + random.nextInt(VOCAB - 3);
        }
        return t;
    }
}
