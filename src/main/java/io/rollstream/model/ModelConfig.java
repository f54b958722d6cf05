package io.rollstream.model;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Locale;
import java.util.Map;

/**
 * Shape of Rollstream's own decoder-only transformer (a {@link ModelSpec} of kind {@code builtin}):
 * pre-norm blocks, causal self-attention, tied input/output embeddings, and one of two
 * architectures — {@code gpt} (layer norm, GELU MLP, learned or rotary positions; {@link GptModel})
 * or {@code llama} (RMSNorm, SwiGLU MLP, rotary positions; the Llama decoder of {@link
 * DecoderModel}, with Hugging Face parameter names, so such a model exports as {@code
 * LlamaForCausalLM}).
 *
 * @param vocabSize number of token ids (set from the tokenizer)
 * @param layers number of transformer blocks
 * @param heads attention heads per block; {@code dModel % heads == 0}
 * @param dModel residual stream width
 * @param mlpWidth hidden width of each block's MLP
 * @param contextLength longest sequence (prompt + completion, BOS included) the model accepts
 * @param positions how positions enter the model ({@code llama} is always rotary)
 * @param architecture {@code gpt} or {@code llama}; null (as in checkpoints written before it existed) is gpt
 */
public record ModelConfig(
        int vocabSize,
        int layers,
        int heads,
        int dModel,
        int mlpWidth,
        int contextLength,
        Positions positions,
        Architecture architecture)
        implements ModelSpec {

    /** Which blocks the model is made of. */
    public enum Architecture {
        /** Layer norm, GELU MLP, learned or rotary positions ({@link GptModel}). */
        GPT,
        /** RMSNorm, SwiGLU MLP, rotary positions ({@link DecoderModel} as {@code LlamaForCausalLM}). */
        LLAMA
    }

    /** Epsilon of the {@code llama} architecture's RMSNorm (as Llama's {@code rms_norm_eps}). */
    static final double LLAMA_RMS_NORM_EPS = 1e-5;
    /** Rotary base of the {@code llama} architecture (as Llama 2's {@code rope_theta}). */
    static final double LLAMA_ROPE_THETA = 10000.0;

    /** A {@code gpt} model. */
    public ModelConfig(
            int vocabSize, int layers, int heads, int dModel, int mlpWidth, int contextLength, Positions positions) {
        this(vocabSize, layers, heads, dModel, mlpWidth, contextLength, positions, Architecture.GPT);
    }

    /** Position encodings. */
    public enum Positions {
        /** A learned embedding per position, added to the token embedding. */
        LEARNED,
        /** Rotary embeddings applied to queries and keys in every layer. */
        ROTARY
    }

    /** The default size: about 3.2M parameters with a small vocabulary. */
    public static ModelConfig defaults(int vocabSize) {
        return new ModelConfig(vocabSize, 4, 8, 256, 1024, 128, Positions.LEARNED);
    }

    public ModelConfig {
        require(vocabSize >= 4, "model.vocab_size", vocabSize, "must be >= 4 (PAD, BOS, EOS and one symbol)");
        require(layers >= 1, "model.layers", layers, "must be >= 1");
        require(heads >= 1, "model.heads", heads, "must be >= 1");
        require(
                dModel >= 1 && dModel % heads == 0,
                "model.d_model",
                dModel,
                "must be a positive multiple of model.heads (" + heads + ")");
        require(mlpWidth >= 1, "model.mlp_width", mlpWidth, "must be >= 1");
        require(contextLength >= 2, "model.context_length", contextLength, "must be >= 2");
        if (architecture == null) {
            architecture = Architecture.GPT;
        }
        require(
                architecture == Architecture.GPT || positions != Positions.LEARNED,
                "model.positions",
                positions,
                "must be rotary (or left out) with model.architecture llama");
        if (positions == null) {
            positions = architecture == Architecture.LLAMA ? Positions.ROTARY : Positions.LEARNED;
        }
        require(
                positions != Positions.ROTARY || (dModel / heads) % 2 == 0,
                "model.d_model",
                dModel,
                "with rotary positions the head width d_model / heads must be even");
    }

    /** Width of one attention head. */
    @JsonIgnore
    public int headDim() {
        return dModel / heads;
    }

    /** Number of trainable scalars. */
    @JsonIgnore
    @Override
    public long parameterCount() {
        if (architecture == Architecture.LLAMA) {
            return toDecoderConfig().parameterCount();
        }
        long perLayer = 2L * 2 * dModel // two layer norms
                + (long) dModel * 3 * dModel
                + 3L * dModel // qkv
                + (long) dModel * dModel
                + dModel // attention output
                + (long) dModel * mlpWidth
                + mlpWidth // mlp in
                + (long) mlpWidth * dModel
                + dModel; // mlp out
        long positional = positions == Positions.LEARNED ? (long) contextLength * dModel : 0;
        return (long) vocabSize * dModel + positional + layers * perLayer + 2L * dModel;
    }

    /** Parameters that take part in matrix products per token (embeddings are lookups). */
    @JsonIgnore
    @Override
    public long matmulParameterCount() {
        if (architecture == Architecture.LLAMA) {
            return toDecoderConfig().matmulParameterCount();
        }
        long perLayer = (long) dModel * 3 * dModel + (long) dModel * dModel + 2L * dModel * mlpWidth;
        return layers * perLayer + (long) vocabSize * dModel; // + the tied output projection
    }

    @JsonIgnore
    @Override
    public Map<String, Shape> parameterShapes() {
        return architecture == Architecture.LLAMA ? toDecoderConfig().parameterShapes() : ParameterLayout.shapes(this);
    }

    @JsonIgnore
    @Override
    public int hiddenSize() {
        return dModel;
    }

    @JsonIgnore
    @Override
    public int attentionWidth() {
        return dModel;
    }

    @Override
    public String describe() {
        return "builtin " + architecture.name().toLowerCase(Locale.ROOT) + ", " + layers + " layers, d_model " + dModel
                + ", " + heads + " heads, " + parameterCount() + " parameters";
    }

    /**
     * The {@code llama} architecture as a Llama decoder config: one key/value head per query head,
     * tied embeddings, RMSNorm epsilon {@value #LLAMA_RMS_NORM_EPS}, rotary base {@value
     * #LLAMA_ROPE_THETA}, no rope scaling.
     */
    public DecoderConfig toDecoderConfig() {
        if (architecture != Architecture.LLAMA) {
            throw new IllegalStateException(
                    "only model.architecture llama is a Llama decoder, this is " + architecture);
        }
        return new DecoderConfig(
                DecoderConfig.LLAMA,
                vocabSize,
                dModel,
                mlpWidth,
                layers,
                heads,
                heads,
                headDim(),
                LLAMA_RMS_NORM_EPS,
                LLAMA_ROPE_THETA,
                null,
                contextLength,
                true);
    }

    private static void require(boolean ok, String key, Object value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException(key + " " + rule + ", got " + value);
        }
    }
}
