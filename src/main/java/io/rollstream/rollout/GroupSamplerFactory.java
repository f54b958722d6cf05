package io.rollstream.rollout;

import io.rollstream.device.DeviceSelection;
import java.io.Serializable;
import java.util.List;

/** Creates a subtask's {@link GroupSampler} on the task manager (the factory travels in the job graph). */
@FunctionalInterface
public interface GroupSamplerFactory extends Serializable {

    /**
     * @param subtask index of the generator subtask that will own the sampler
     * @param declaredGpus GPU indexes its task manager declares (external resource {@code gpu}; empty on a
     *     mini-cluster), for {@link DeviceSelection}
     */
    GroupSampler create(int subtask, List<Integer> declaredGpus) throws Exception;
}
