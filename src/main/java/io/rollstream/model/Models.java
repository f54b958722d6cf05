package io.rollstream.model;

import ai.djl.Device;
import io.rollstream.device.Placement;
import java.util.Map;

/** Builds the {@link LanguageModel} a {@link ModelSpec} describes: {@link GptModel} or {@link DecoderModel}. */
public final class Models {

    private Models() {}

    /** A float32 model holding {@code weights} (names and shapes as in {@link ModelSpec#parameterShapes()}). */
    public static LanguageModel create(ModelSpec spec, Map<String, float[]> weights, Device device) {
        return create(spec, weights, Placement.float32(device));
    }

    /** A model holding {@code weights}, converted to the placement's precision. */
    public static LanguageModel create(ModelSpec spec, Map<String, float[]> weights, Placement placement) {
        DecoderConfig decoder = decoderOf(spec);
        return decoder == null
                ? GptModel.fromWeights((ModelConfig) spec, weights, placement)
                : DecoderModel.fromWeights(spec, decoder, weights, placement);
    }

    /**
     * A float32 model reading its parameters from {@code source} one at a time (other names there are
     * ignored).
     */
    public static LanguageModel create(ModelSpec spec, TensorSource source, Device device) {
        return create(spec, source, Placement.float32(device));
    }

    /** {@link #create(ModelSpec, TensorSource, Device)}, each parameter converted to the placement's precision. */
    public static LanguageModel create(ModelSpec spec, TensorSource source, Placement placement) {
        DecoderConfig decoder = decoderOf(spec);
        return decoder == null
                ? GptModel.create((ModelConfig) spec, source, placement)
                : DecoderModel.create(spec, decoder, source, placement);
    }

    /** A freshly initialised model, deterministic in {@code seed} on every device. */
    public static LanguageModel initialize(ModelSpec spec, long seed, Device device) {
        DecoderConfig decoder = decoderOf(spec);
        return decoder == null
                ? GptModel.initialize((ModelConfig) spec, seed, device)
                : DecoderModel.initialize(spec, decoder, seed, device);
    }

    /**
     * The Llama-family maths of {@code spec}.
     *
     * @throws IllegalArgumentException for the built-in GPT, which has none
     */
    public static DecoderConfig decoder(ModelSpec spec) {
        DecoderConfig decoder = decoderOf(spec);
        if (decoder == null) {
            throw new IllegalArgumentException(spec.describe() + " is not a Llama-family decoder");
        }
        return decoder;
    }

    /** The Llama-family maths of {@code spec}, or null for the built-in GPT. */
    static DecoderConfig decoderOf(ModelSpec spec) {
        if (spec instanceof DecoderConfig d) {
            return d;
        }
        if (spec instanceof ModelConfig c) {
            return c.architecture() == ModelConfig.Architecture.LLAMA ? c.toDecoderConfig() : null;
        }
        throw new IllegalArgumentException(
                "unknown kind of model spec: " + spec.getClass().getName());
    }
}
