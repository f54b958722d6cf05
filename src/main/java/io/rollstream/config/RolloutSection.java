package io.rollstream.config;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.rollstream.device.DeviceSetting;
import io.rollstream.sampling.SamplingConfig;

/**
 * The {@code rollout} section: the generators that sample completions from the current policy.
 * {@code num_rollouts_per_prompt} (the name other RL frameworks use) is accepted as an alias of
 * {@code rollouts_per_example}.
 *
 * @param parallelism generator subtasks, at least 1; default 1
 * @param rolloutsPerExample completions sampled per problem (one group), at least 1; default 8
 * @param sampling how generators sample, written in this section ({@code temperature}, {@code top_p},
 *     {@code top_k}, {@code max_new_tokens}: see {@link SamplingConfig}); never greedy
 * @param maxBatchRows rows per forward pass of a generator, at least 1; default 256
 * @param policyPollMs how often generators look for new policy weights, in ms, at least 10; default 200
 * @param device where generators run: {@code auto} (a GPU if there is one), {@code cpu} or {@code gpu};
 *     default {@code auto}
 * @param seed seeds the sampling of completions only; null (the default) uses {@code job.seed}, which also
 *     picks the problems. Set it to vary the draws over the same problems (e.g. repeats of an experiment)
 */
public record RolloutSection(
        int parallelism,
        @JsonAlias("num_rollouts_per_prompt") int rolloutsPerExample,
        @JsonUnwrapped SamplingConfig sampling,
        int maxBatchRows,
        int policyPollMs,
        DeviceSetting device,
        Long seed) {

    /** Every key at its default. */
    public static RolloutSection defaults() {
        return new RolloutSection(1, 8, SamplingConfig.sample(8), 256, 200, DeviceSetting.AUTO, null);
    }

    public RolloutSection {
        sampling = sampling == null ? SamplingConfig.sample(8) : sampling;
        device = device == null ? DeviceSetting.AUTO : device;
        ConfigErrors e = new ConfigErrors();
        e.check(parallelism >= 1, "rollout.parallelism", parallelism, "must be >= 1 (generator subtasks)");
        e.check(rolloutsPerExample >= 1, "rollout.rollouts_per_example", rolloutsPerExample, "must be >= 1: try 8");
        if (sampling.greedy()) {
            throw new IllegalArgumentException("generators sample: greedy decoding is for evaluation only");
        }
        e.check(maxBatchRows >= 1, "rollout.max_batch_rows", maxBatchRows, "must be >= 1: try 256");
        e.check(policyPollMs >= 10, "rollout.policy_poll_ms", policyPollMs, "must be >= 10: try 200");
        e.throwIfAny();
    }

    /** The seed of the sampling: {@code seed} when set, else {@code jobSeed}. */
    public long samplingSeed(long jobSeed) {
        return seed != null ? seed : jobSeed;
    }

    /** Most tokens generated per completion: {@code max_new_tokens}. */
    public int maxNewTokens() {
        return sampling.maxNewTokens();
    }
}
