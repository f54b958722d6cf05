package io.rollstream.checkpoint;

import java.util.Map;

/**
 * A saved AdamW optimizer, as a {@link Checkpoint} carries it: the step count and both moments of
 * every parameter, by parameter name.
 */
public record OptimizerState(long step, Map<String, float[]> firstMoments, Map<String, float[]> secondMoments) {}
