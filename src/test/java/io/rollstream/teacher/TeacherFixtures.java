package io.rollstream.teacher;

import ai.djl.Device;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.model.GptModel;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.TokenLogprobs;
import io.rollstream.tokenizer.TokenizerSpec;
import io.rollstream.types.FinishReason;
import io.rollstream.types.PoolCounts;
import io.rollstream.types.Rollout;
import io.rollstream.types.ScoredGroup;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Small teacher / student models over a 9-letter char tokenizer, and groups sampled "by" a student. */
final class TeacherFixtures {

    /** 9 letters + PAD, BOS, EOS = 12 ids. */
    static final TokenizerSpec TOKENIZER = TokenizerSpec.chars("abcdefghi");

    static final int VOCAB = 12;
    static final int CONTEXT = 16;
    static final int PAD = 0;
    static final int[] PROMPT = {1, 4, 5, 6};

    private TeacherFixtures() {}

    static GptModel model(long seed, int dModel) {
        return GptModel.initialize(
                new ModelConfig(VOCAB, 1, 2, dModel, 2 * dModel, CONTEXT, ModelConfig.Positions.LEARNED),
                seed,
                Device.cpu());
    }

    static Checkpoint checkpoint(GptModel model) {
        return new Checkpoint(0, model.config(), TOKENIZER, model.weights(), null, Map.of());
    }

    /**
     * A group of {@code rollouts} completions of varying length whose behaviour log-probs are the
     * {@code student}'s teacher-forced ones (as a sampler at temperature 1 records them).
     */
    static ScoredGroup groupSampledBy(GptModel student, int rollouts, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<int[]> completions = new ArrayList<>();
        for (int i = 0; i < rollouts; i++) {
            int[] tokens = new int[1 + random.nextInt(6)];
            for (int t = 0; t < tokens.length; t++) {
                tokens[t] = 3 + random.nextInt(VOCAB - 3);
            }
            tokens[tokens.length - 1] = 2; // EOS
            completions.add(tokens);
        }
        float[][] behaviour =
                TokenLogprobs.score(student, Collections.nCopies(rollouts, PROMPT), completions, PAD, 1.0);
        Rollout[] out = new Rollout[rollouts];
        for (int i = 0; i < rollouts; i++) {
            out[i] = new Rollout(completions.get(i), behaviour[i], "r" + i, 0, FinishReason.STOP, null, null);
        }
        return new ScoredGroup("p#0", "p", "t", "def=", "abc", PROMPT, 0, 0, 0, PoolCounts.EMPTY, 1, out, null);
    }
}
