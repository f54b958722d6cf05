package io.rollstream.learner;

import java.util.Arrays;

/**
 * One completion to learn from.
 *
 * @param prompt prompt ids as the model saw them (BOS first)
 * @param completion generated (or demonstrated) ids, EOS included when present
 * @param advantages one value per completion token: the group-relative advantage broadcast over the
 *     tokens for policy gradient, the per-token reward (teacher − student log-prob) for reverse-KL
 *     distillation; ignored by SFT (may be null)
 * @param behaviourLogprobs log-probabilities the sampler recorded for each completion token; null
 *     for SFT demonstrations
 * @param group examples with the same group are stepped together in {@code per_prompt} mode
 * @param inLoss false leaves the example out of the loss (overlong filtering): its tokens get no
 *     gradient and do not count in the aggregation's normaliser
 */
public record TrainingExample(
        int[] prompt, int[] completion, float[] advantages, float[] behaviourLogprobs, String group, boolean inLoss) {

    /** An example in the loss. */
    public TrainingExample(
            int[] prompt, int[] completion, float[] advantages, float[] behaviourLogprobs, String group) {
        this(prompt, completion, advantages, behaviourLogprobs, group, true);
    }

    public TrainingExample {
        if (completion.length == 0) {
            throw new IllegalArgumentException("a training example needs at least one completion token");
        }
        if (advantages != null && advantages.length != completion.length) {
            throw new IllegalArgumentException(
                    "advantages: " + advantages.length + " values for " + completion.length + " completion tokens");
        }
        if (behaviourLogprobs != null && behaviourLogprobs.length != completion.length) {
            throw new IllegalArgumentException("behaviour logprobs: " + behaviourLogprobs.length + " values for "
                    + completion.length + " completion tokens");
        }
    }

    /** A supervised demonstration. */
    public static TrainingExample demonstration(int[] prompt, int[] completion) {
        return new TrainingExample(prompt, completion, null, null, null);
    }

    /** The same advantage on every completion token (GRPO). */
    public static float[] broadcast(float advantage, int tokens) {
        float[] a = new float[tokens];
        Arrays.fill(a, advantage);
        return a;
    }
}
