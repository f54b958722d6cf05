package io.rollstream.rollout;

import java.util.List;

/**
 * Generates and scores whole groups. Called from the generation thread only; implementations need
 * not be thread-safe. The production implementation samples from the policy store's versions with
 * the DJL model; tests use deterministic fakes.
 */
public interface GroupSampler extends AutoCloseable {

    /** The sampled and scored groups of {@code requests}, in the same order. */
    List<SampledGroup> generate(List<GroupRequest> requests) throws Exception;

    @Override
    default void close() throws Exception {}
}
