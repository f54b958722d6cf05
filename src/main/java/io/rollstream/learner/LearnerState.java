package io.rollstream.learner;

import io.rollstream.policy.PolicyCollector;

/**
 * Everything the learner operator keeps in Flink state, as one value (stored by {@link
 * LearnerStateSerializer}).
 *
 * @param inlineCheckpoint the learner's checkpoint ({@link io.rollstream.checkpoint.CheckpointFormat}
 *     bytes) when it fits {@code job.state_inline_max_mb}; else null
 * @param checkpointFile the file holding the checkpoint otherwise ({@link LearnerStateFiles}); null
 *     when it is inline
 * @param pins the policy versions the run's checkpoints and savepoints pin, and the best evaluated one
 * @param epochKl the per-epoch KL tracker's state (distillation over a fixed problem set), or null
 */
public record LearnerState(
        byte[] inlineCheckpoint,
        LearnerStateFiles.Reference checkpointFile,
        PolicyCollector.Pins pins,
        EpochKl.State epochKl) {

    public LearnerState {
        if ((inlineCheckpoint == null) == (checkpointFile == null)) {
            throw new IllegalArgumentException("the learner's checkpoint is either inline or in a file");
        }
        pins = pins == null ? PolicyCollector.Pins.NONE : pins;
    }
}
