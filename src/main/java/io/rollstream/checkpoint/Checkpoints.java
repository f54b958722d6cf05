package io.rollstream.checkpoint;

import ai.djl.Device;

import io.rollstream.device.Placement;

import io.rollstream.learner.AdamW;
import io.rollstream.learner.PolicyTrainer;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.Models;
import io.rollstream.tokenizer.TokenizerSpec;

import java.util.Map;

/** Moves a trainer's or model's state into and out of a {@link Checkpoint}. */
public final class Checkpoints {

    private Checkpoints() {}

    /** Weights and optimizer state of {@code trainer} at learner step {@code step}. */
    public static Checkpoint capture(PolicyTrainer trainer, long step, TokenizerSpec tokenizer,
            Map<String, String> metadata) {
        LanguageModel model = trainer.model();
        return new Checkpoint(step, model.spec(), tokenizer, model.weights(), trainer.optimizer().state(), metadata);
    }

    /** A float32 model holding the checkpoint's weights, on {@code device}. */
    public static LanguageModel model(Checkpoint checkpoint, Device device) {
        return model(checkpoint, Placement.float32(device));
    }

    /** A model holding the checkpoint's weights, where and in the precision {@code placement} says. */
    public static LanguageModel model(Checkpoint checkpoint, Placement placement) {
        return Models.create(checkpoint.model(), checkpoint.weights(), placement);
    }

    /**
     * A trainer that continues exactly where {@code checkpoint} stopped: same weights, same optimizer
     * moments and step count. A weights-only checkpoint starts a fresh optimizer.
     */
    public static PolicyTrainer restore(Checkpoint checkpoint, AdamW.Config optimizer, PolicyTrainer.Config config,
            int padId, Device device) {
        LanguageModel model = model(checkpoint, device);
        AdamW adam = new AdamW(optimizer, model.parameters());
        if (checkpoint.optimizer() != null) {
            adam.load(checkpoint.optimizer());
        }
        return new PolicyTrainer(model, adam, config, padId);
    }
}
