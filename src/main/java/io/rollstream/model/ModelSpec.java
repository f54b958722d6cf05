package io.rollstream.model;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.io.Serializable;
import java.util.Map;

/**
 * Everything needed to rebuild a {@link LanguageModel} from its weights: the architecture and its
 * hyper-parameters. Checkpoints and published policy versions store it in their header, so a
 * resumed run, a teacher, an evaluation and the generators rebuild exactly the model that was saved.
 *
 * <p>Two kinds: {@link ModelConfig} (Rollstream's own model, {@code kind: builtin}) and {@link
 * DecoderConfig} (a Llama-family decoder read from a Hugging Face {@code config.json}, {@code kind:
 * huggingface}). Headers written before the kinds existed have no {@code kind} and are builtin.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind", defaultImpl = ModelConfig.class)
@JsonSubTypes({
    @JsonSubTypes.Type(value = ModelConfig.class, name = "builtin"),
    @JsonSubTypes.Type(value = DecoderConfig.class, name = "huggingface")
})
public interface ModelSpec extends Serializable {

    /** Number of token ids the model scores. */
    int vocabSize();

    /** Longest sequence (prompt + completion) the model accepts. */
    int contextLength();

    /** Transformer blocks (one KV cache entry each). */
    int layers();

    /** Every parameter's name and shape, in storage order (checkpoints store them in this order). */
    Map<String, Shape> parameterShapes();

    /** Number of trainable scalars. */
    default long parameterCount() {
        return parameterShapes().values().stream().mapToLong(Shape::size).sum();
    }

    /** Parameters that take part in matrix products per token (embedding lookups excluded, the output head included). */
    long matmulParameterCount();

    /** Residual stream width. */
    int hiddenSize();

    /** Width of all attention heads together (queries): the inner dimension of QKᵀ and AV per layer. */
    int attentionWidth();

    /** A short human-readable description, e.g. {@code LlamaForCausalLM, 4 layers, hidden 64}. */
    String describe();
}
