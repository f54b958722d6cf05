package io.rollstream.checkpoint;

import io.rollstream.model.TensorSource;
import java.util.Map;

/**
 * A saved AdamW optimizer, as a {@link Checkpoint} carries it: the step count and both moments of
 * every parameter, by parameter name.
 */
public record OptimizerState(long step, TensorSource firstMoments, TensorSource secondMoments) {

    /** Moments held in Java arrays. */
    public OptimizerState(long step, Map<String, float[]> firstMoments, Map<String, float[]> secondMoments) {
        this(step, TensorSource.of(firstMoments), TensorSource.of(secondMoments));
    }
}
