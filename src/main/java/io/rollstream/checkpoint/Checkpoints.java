package io.rollstream.checkpoint;

import ai.djl.Device;

import io.rollstream.device.Placement;

import io.rollstream.learner.AdamW;
import io.rollstream.learner.PolicyTrainer;
import io.rollstream.model.DecoderModel;
import io.rollstream.model.LanguageModel;
import io.rollstream.model.LoraModel;
import io.rollstream.model.Models;
import io.rollstream.model.TensorSource;
import io.rollstream.tokenizer.TokenizerSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Moves a trainer's or model's state into and out of a {@link Checkpoint}. */
public final class Checkpoints {

    private Checkpoints() {}

    /**
     * Weights and optimizer state of {@code trainer} at learner step {@code step}, as a live view of
     * its arrays: write it (tensor by tensor, no copy of the whole model) before the trainer steps
     * again. The weights are the trainer's parameters: a LoRA model's adapters.
     *
     * @param adapter what a LoRA model's adapters adapt (the checkpoint it started from says), or null
     */
    public static Checkpoint capture(PolicyTrainer trainer, long step, TokenizerSpec tokenizer,
            Map<String, String> metadata, Adapter adapter) {
        LanguageModel model = trainer.model();
        if ((adapter != null) != (model instanceof LoraModel)) {
            throw new IllegalArgumentException("a checkpoint records an adapter exactly when the model has LoRA"
                    + " adapters");
        }
        return new Checkpoint(step, model.spec(), tokenizer, TensorSource.ofArrays(model.parameters()),
                trainer.optimizer().state(), metadata, adapter);
    }

    /** {@link #capture(PolicyTrainer, long, TokenizerSpec, Map, Adapter)} of a full model. */
    public static Checkpoint capture(PolicyTrainer trainer, long step, TokenizerSpec tokenizer,
            Map<String, String> metadata) {
        return capture(trainer, step, tokenizer, metadata, null);
    }

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

    /**
     * A trainer that continues exactly where {@code checkpoint} stopped: same weights, same optimizer
     * moments and step count. A weights-only checkpoint starts a fresh optimizer.
     */
    public static PolicyTrainer restore(Checkpoint checkpoint, AdamW.Config optimizer, PolicyTrainer.Config config,
            int padId, Device device) {
        return restore(model(checkpoint, device), checkpoint, optimizer, config, padId);
    }

    /** {@link #restore(Checkpoint, AdamW.Config, PolicyTrainer.Config, int, Device)} on a model already built. */
    public static PolicyTrainer restore(LanguageModel model, Checkpoint checkpoint, AdamW.Config optimizer,
            PolicyTrainer.Config config, int padId) {
        AdamW adam = new AdamW(optimizer, model.parameters());
        if (checkpoint.optimizer() != null) {
            adam.load(checkpoint.optimizer());
        }
        return new PolicyTrainer(model, adam, config, padId);
    }
}
