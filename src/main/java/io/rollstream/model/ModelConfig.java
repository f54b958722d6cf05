package io.rollstream.model;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Shape of a decoder-only transformer: pre-norm blocks, causal self-attention, GELU MLP, tied
 * input/output embeddings.
 *
 * @param vocabSize number of token ids (set from the tokenizer)
 * @param layers number of transformer blocks
 * @param heads attention heads per block; {@code dModel % heads == 0}
 * @param dModel residual stream width
 * @param mlpWidth hidden width of each block's MLP
 * @param contextLength longest sequence (prompt + completion, BOS included) the model accepts
 * @param positions how positions enter the model
 */
public record ModelConfig(
        int vocabSize,
        int layers,
        int heads,
        int dModel,
        int mlpWidth,
        int contextLength,
        Positions positions) implements java.io.Serializable {

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
        require(dModel >= 1 && dModel % heads == 0, "model.d_model", dModel,
                "must be a positive multiple of model.heads (" + heads + ")");
        require(mlpWidth >= 1, "model.mlp_width", mlpWidth, "must be >= 1");
        require(contextLength >= 2, "model.context_length", contextLength, "must be >= 2");
        if (positions == null) {
            positions = Positions.LEARNED;
        }
        require(positions != Positions.ROTARY || (dModel / heads) % 2 == 0, "model.d_model", dModel,
                "with rotary positions the head width d_model / heads must be even");
    }

    /** Width of one attention head. */
    @JsonIgnore
    public int headDim() {
        return dModel / heads;
    }

    /** Number of trainable scalars. */
    @JsonIgnore
    public long parameterCount() {
        long perLayer = 2L * 2 * dModel // two layer norms
                + (long) dModel * 3 * dModel + 3L * dModel // qkv
                + (long) dModel * dModel + dModel // attention output
                + (long) dModel * mlpWidth + mlpWidth // mlp in
                + (long) mlpWidth * dModel + dModel; // mlp out
        long positional = positions == Positions.LEARNED ? (long) contextLength * dModel : 0;
        return (long) vocabSize * dModel + positional + layers * perLayer + 2L * dModel;
    }

    /** Parameters that take part in matrix products per token (embeddings are lookups). */
    @JsonIgnore
    public long matmulParameterCount() {
        long perLayer = (long) dModel * 3 * dModel + (long) dModel * dModel + 2L * dModel * mlpWidth;
        return layers * perLayer + (long) vocabSize * dModel; // + the tied output projection
    }

    private static void require(boolean ok, String key, Object value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException(key + " " + rule + ", got " + value);
        }
    }
}
