package io.rollstream.rollout;

import java.util.List;

/** Where the {@link AdmissionScheduler} hands admitted groups: the generation thread ({@link GenerationWorker}). */
public interface Dispatch {

    /** One group, to share a forward pass with whatever else is queued. */
    void submit(GroupRequest request);

    /** Synchronous mode: a whole wave, generated on its own in one call, in this order. */
    void submitWave(List<GroupRequest> wave);
}
