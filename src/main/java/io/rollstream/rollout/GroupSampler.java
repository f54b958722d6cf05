package io.rollstream.rollout;

import io.rollstream.types.ScoredGroup;

import java.util.List;

/**
 * Generates and scores whole groups. Called from the generation thread only; implementations need
 * not be thread-safe. The production implementation samples from the policy store's versions with
 * the DJL model; tests use deterministic fakes.
 */
public interface GroupSampler extends AutoCloseable {

    /**
     * Scored groups for {@code requests}, in the same order. Rollouts are stamped with each
     * request's pinned policy version; {@code generatorSubtask} and {@code pools} are filled in by
     * the caller.
     */
    List<ScoredGroup> generate(List<GroupRequest> requests) throws Exception;

    @Override
    default void close() throws Exception {}
}
