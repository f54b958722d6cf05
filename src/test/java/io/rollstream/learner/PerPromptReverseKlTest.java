package io.rollstream.learner;

import static io.rollstream.learner.TrainerFixtures.assertGradientsMatch;
import static io.rollstream.learner.TrainerFixtures.gradients;
import static io.rollstream.learner.TrainerFixtures.rlBatch;
import static io.rollstream.learner.TrainerFixtures.tinyModel;
import static io.rollstream.learner.TrainerFixtures.trainer;
import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.model.GptModel;
import io.rollstream.model.TokenLogprobs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code optimizer_step: per_prompt} with the reverse-KL loss. */
@Tag("djl")
class PerPromptReverseKlTest {

    private static final Loss REVERSE_KL = new ReverseKlLoss();

    /** rlBatch's rows with a different per-token reward (teacher − student log-prob) on every token. */
    private static List<TrainingExample> distillationBatch(int rows, int groups, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<TrainingExample> out = new ArrayList<>();
        for (TrainingExample e : rlBatch(rows, groups, seed)) {
            float[] rewards = new float[e.completion().length];
            for (int t = 0; t < rewards.length; t++) {
                rewards[t] = (float) (random.nextDouble() * 4 - 2);
            }
            out.add(new TrainingExample(e.prompt(), e.completion(), rewards, e.behaviourLogprobs(), e.group()));
        }
        return out;
    }

    @Test
    void theOptimizerStepsOncePerPromptGroup() {
        List<TrainingExample> batch = distillationBatch(15, 5, 4); // 5 prompts x 3 rollouts
        try (GptModel model = tinyModel(7)) {
            PolicyTrainer perPrompt = trainer(model, 2, PolicyTrainer.OptimizerStep.PER_PROMPT);
            StepResult result = perPrompt.step(batch, REVERSE_KL);
            assertThat(result.optimizerSteps()).isEqualTo(5);
            assertThat(perPrompt.optimizer().step()).isEqualTo(5);
        }
        try (GptModel model = tinyModel(7)) {
            PolicyTrainer perBatch = trainer(model, 2, PolicyTrainer.OptimizerStep.PER_BATCH);
            assertThat(perBatch.step(batch, REVERSE_KL).optimizerSteps()).isEqualTo(1);
            assertThat(perBatch.optimizer().step()).isEqualTo(1);
        }
    }

    /**
     * The gradient one prompt's update applies is the sum of its rollouts' gradients: each rollout's
     * backward adds onto the same .grad, every token weighted by 1 / (tokens of the whole group).
     */
    @Test
    void aGroupsGradientIsTheAccumulatedGradientOfItsRollouts() {
        List<TrainingExample> group = distillationBatch(4, 1, 12);
        long groupTokens = group.stream().mapToLong(e -> e.completion().length).sum();
        try (GptModel model = tinyModel(5)) {
            PolicyTrainer trainer = trainer(model, 4, PolicyTrainer.OptimizerStep.PER_PROMPT);
            Map<String, float[]> together = gradients(trainer, group, REVERSE_KL);
            Map<String, float[]> summed = new LinkedHashMap<>();
            for (TrainingExample rollout : group) {
                double weight = (double) rollout.completion().length / groupTokens; // undo its own token mean
                gradients(trainer, List.of(rollout), REVERSE_KL).forEach((name, g) -> {
                    float[] acc = summed.computeIfAbsent(name, n -> new float[g.length]);
                    for (int i = 0; i < g.length; i++) {
                        acc[i] += (float) (weight * g[i]);
                    }
                });
            }
            assertGradientsMatch(together, summed, 1f);
        }
    }

    @Test
    void theGradientOfTheLossIsMinusRewardTimesTheGradientOfTheLogprob() {
        // One rollout whose rewards are all zero except token 1: the update direction must come from
        // that token alone, i.e. equal −reward × ∇ log p(token 1) / tokens.
        List<TrainingExample> one = distillationBatch(1, 1, 3);
        TrainingExample e = one.get(0);
        if (e.completion().length < 2) {
            e = distillationBatch(3, 1, 5).stream()
                    .filter(x -> x.completion().length >= 2)
                    .findFirst()
                    .orElseThrow();
        }
        float[] single = new float[e.completion().length];
        single[1] = 1.5f;
        float[] unit = new float[e.completion().length];
        unit[1] = -1f; // −reward 1 ⇒ loss = log p, gradient ∇ log p / tokens
        try (GptModel model = tinyModel(2)) {
            e = onPolicy(e, model); // the sampler's policy is the learner's: ratio 1, reward as given
            PolicyTrainer trainer = trainer(model, 4, PolicyTrainer.OptimizerStep.PER_BATCH);
            Map<String, float[]> scaled = gradients(trainer, List.of(withRewards(e, single)), REVERSE_KL);
            Map<String, float[]> logprobGradient = gradients(trainer, List.of(withRewards(e, unit)), REVERSE_KL);
            assertGradientsMatch(scaled, logprobGradient, -1.5f);
        }
    }

    /** {@code e} with the model's own log-probs (at the fixtures' temperature 0.8) as behaviour log-probs. */
    private static TrainingExample onPolicy(TrainingExample e, GptModel model) {
        float[] own =
                TokenLogprobs.score(model, List.of(e.prompt()), List.of(e.completion()), TrainerFixtures.PAD, 0.8)[0];
        return new TrainingExample(e.prompt(), e.completion(), e.advantages(), own, e.group());
    }

    private static TrainingExample withRewards(TrainingExample e, float[] rewards) {
        return new TrainingExample(e.prompt(), e.completion(), rewards, e.behaviourLogprobs(), e.group());
    }
}
