package io.rollstream.checkpoint;

import ai.djl.Device;

import io.rollstream.model.LanguageModel;
import io.rollstream.model.Models;

/** Builds the model a {@link Checkpoint} holds. */
public final class Checkpoints {

    private Checkpoints() {}

    /** A model holding the checkpoint's weights, on {@code device}. */
    public static LanguageModel model(Checkpoint checkpoint, Device device) {
        return Models.create(checkpoint.model(), checkpoint.weights(), device);
    }
}
