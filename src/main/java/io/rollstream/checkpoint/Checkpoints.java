package io.rollstream.checkpoint;

import ai.djl.Device;
import io.rollstream.device.Placement;
import io.rollstream.model.DecoderModel;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.LoraModel;
import io.rollstream.model.Models;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Builds the model a {@link Checkpoint} holds. */
public final class Checkpoints {

    private Checkpoints() {}

    /**
     * A float32 model holding the checkpoint's weights, on {@code device}; for adapters, the base they
     * adapt is loaded too (and closed with the model).
     */
    public static LanguageModel model(Checkpoint checkpoint, Device device) {
        return model(checkpoint, Placement.float32(device));
    }

    /**
     * A model holding the checkpoint's weights, where and in the precision {@code placement} says;
     * for adapters, the base they adapt is loaded too (and closed with the model).
     */
    public static LanguageModel model(Checkpoint checkpoint, Placement placement) {
        if (checkpoint.adapter() == null) {
            return Models.create(checkpoint.model(), checkpoint.weights(), placement);
        }
        try {
            DecoderModel base = BaseModels.load(checkpoint.adapter().base(), checkpoint.model(), placement);
            try {
                return LoraModel.create(base, true, checkpoint.adapter().lora(), checkpoint.weights());
            } catch (RuntimeException e) {
                base.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * {@link #model(Checkpoint, Placement)} where {@code bases} says, with the base of adapters taken
     * from (and left in) {@code bases}, so several versions share one base.
     */
    public static LanguageModel model(Checkpoint checkpoint, BaseModels bases) throws IOException {
        if (checkpoint.adapter() == null) {
            return Models.create(checkpoint.model(), checkpoint.weights(), bases.placement());
        }
        DecoderModel base = bases.get(checkpoint.adapter().base(), checkpoint.model());
        return LoraModel.create(base, false, checkpoint.adapter().lora(), checkpoint.weights());
    }
}
