package io.rollstream.rollout;

import java.io.Serializable;

/** Creates a subtask's {@link GroupSampler} on the task manager (the factory travels in the job graph). */
@FunctionalInterface
public interface GroupSamplerFactory extends Serializable {

    /** @param subtask index of the generator subtask that will own the sampler */
    GroupSampler create(int subtask) throws Exception;
}
