package io.rollstream.model;

import ai.djl.Device;

import java.util.Map;

/** Builds the {@link LanguageModel} a {@link ModelSpec} describes: {@link GptModel} or {@link DecoderModel}. */
public final class Models {

    private Models() {}

    /** A model holding {@code weights} (names and shapes as in {@link ModelSpec#parameterShapes()}). */
    public static LanguageModel create(ModelSpec spec, Map<String, float[]> weights, Device device) {
        DecoderConfig decoder = decoderOf(spec);
        return decoder == null ? GptModel.fromWeights((ModelConfig) spec, weights, device)
                : DecoderModel.fromWeights(spec, decoder, weights, device);
    }

    /** A model reading its parameters from {@code source} one at a time (other names there are ignored). */
    public static LanguageModel create(ModelSpec spec, TensorSource source, Device device) {
        DecoderConfig decoder = decoderOf(spec);
        return decoder == null ? GptModel.create((ModelConfig) spec, source, device)
                : DecoderModel.create(spec, decoder, source, device);
    }

    /** A freshly initialised model, deterministic in {@code seed} on every device. */
    public static LanguageModel initialize(ModelSpec spec, long seed, Device device) {
        DecoderConfig decoder = decoderOf(spec);
        return decoder == null ? GptModel.initialize((ModelConfig) spec, seed, device)
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
        throw new IllegalArgumentException("unknown kind of model spec: " + spec.getClass().getName());
    }
}
