package io.rollstream.model;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The maths of a Llama-family decoder (a {@link ModelSpec} of kind {@code huggingface}), as read from
 * a Hugging Face {@code config.json} by {@link io.rollstream.huggingface.HfConfigReader}: pre-norm
 * blocks of RMSNorm, grouped-query attention with rotate-half rotary embeddings, and a SwiGLU MLP.
 * The four supported architectures differ only in the switches here: Qwen2 adds q/k/v biases, Qwen3
 * a per-head RMSNorm of queries and keys before the rotary embedding (and often a {@code head_dim}
 * other than {@code hidden_size / heads}).
 *
 * @param architecture {@link #LLAMA}, {@link #MISTRAL}, {@link #QWEN2} or {@link #QWEN3}
 * @param vocabSize rows of the embedding and of the output head ({@code vocab_size})
 * @param hiddenSize residual stream width ({@code hidden_size})
 * @param intermediateSize MLP width ({@code intermediate_size})
 * @param layers blocks ({@code num_hidden_layers})
 * @param heads query heads ({@code num_attention_heads})
 * @param kvHeads key/value heads ({@code num_key_value_heads}), dividing {@code heads}
 * @param headDim width of one head ({@code head_dim}, default {@code hidden_size / heads}), even
 * @param rmsNormEps RMSNorm epsilon ({@code rms_norm_eps})
 * @param ropeTheta rotary base ({@code rope_theta})
 * @param ropeScaling {@code rope_scaling}, or null for none
 * @param contextLength longest sequence accepted: {@code max_position_embeddings}, or a sliding window if smaller
 * @param tieWordEmbeddings whether the output head is the embedding ({@code tie_word_embeddings})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DecoderConfig(
        String architecture,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        int contextLength,
        boolean tieWordEmbeddings)
        implements ModelSpec {

    public static final String LLAMA = "LlamaForCausalLM";
    public static final String MISTRAL = "MistralForCausalLM";
    public static final String QWEN2 = "Qwen2ForCausalLM";
    public static final String QWEN3 = "Qwen3ForCausalLM";

    /** The architectures this decoder implements, as {@code config.json} names them. */
    public static final List<String> ARCHITECTURES = List.of(LLAMA, MISTRAL, QWEN2, QWEN3);

    /** config.json's {@code model_type} of each architecture. */
    public static final Map<String, String> MODEL_TYPES =
            Map.of(LLAMA, "llama", MISTRAL, "mistral", QWEN2, "qwen2", QWEN3, "qwen3");

    public DecoderConfig {
        if (!ARCHITECTURES.contains(architecture)) {
            throw new IllegalArgumentException(
                    "architecture " + architecture + " is not supported (supported: " + ARCHITECTURES + ")");
        }
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", layers);
        positive("num_attention_heads", heads);
        positive("num_key_value_heads", kvHeads);
        positive("head_dim", headDim);
        positive("max_position_embeddings", contextLength);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(
                    "num_attention_heads " + heads + " must be a multiple of num_key_value_heads " + kvHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim " + headDim + " must be even for rotary embeddings");
        }
        if (!(rmsNormEps > 0) || !(ropeTheta > 0)) {
            throw new IllegalArgumentException(
                    "rms_norm_eps and rope_theta must be > 0, got " + rmsNormEps + " and " + ropeTheta);
        }
    }

    @JsonIgnore
    @Override
    public int attentionWidth() {
        return heads * headDim;
    }

    /** config.json's {@code model_type}: llama, mistral, qwen2 or qwen3. */
    @JsonIgnore
    public String modelType() {
        return MODEL_TYPES.get(architecture);
    }

    /** Whether the q/k/v projections have biases (Qwen2 always, the others never). */
    @JsonIgnore
    public boolean qkvBias() {
        return QWEN2.equals(architecture);
    }

    /** Whether queries and keys get a per-head RMSNorm before the rotary embedding (Qwen3). */
    @JsonIgnore
    public boolean qkNorm() {
        return QWEN3.equals(architecture);
    }

    /** Query heads that share one key/value head. */
    @JsonIgnore
    public int groupSize() {
        return heads / kvHeads;
    }

    @JsonIgnore
    @Override
    public Map<String, Shape> parameterShapes() {
        return DecoderLayout.shapes(this);
    }

    @JsonIgnore
    @Override
    public long matmulParameterCount() {
        long attention = (long) hiddenSize * headDim * (2L * heads + 2L * kvHeads);
        long mlp = 3L * hiddenSize * intermediateSize;
        return layers * (attention + mlp) + (long) vocabSize * hiddenSize;
    }

    @Override
    public String describe() {
        return architecture + ", " + layers + " layers, hidden " + hiddenSize + ", " + heads + " heads (" + kvHeads
                + " key/value), head_dim " + headDim + ", vocab " + vocabSize + ", " + parameterCount() + " parameters";
    }

    private static void positive(String key, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(key + " must be >= 1, got " + value);
        }
    }
}
