package io.rollstream.rollout;

import io.rollstream.types.ScoredGroup;

import java.io.Serializable;

/**
 * Tells the rollout stage early whether batch assembly will drop a group for its content (zero
 * advantage, difficulty, length), so the group's admission slot can be given back.
 */
@FunctionalInterface
public interface GroupFilter extends Serializable {

    /** True when the group carries no training signal under the configured filters. */
    boolean willDrop(ScoredGroup group);

    /** Keeps every group. */
    static GroupFilter none() {
        return group -> false;
    }
}
