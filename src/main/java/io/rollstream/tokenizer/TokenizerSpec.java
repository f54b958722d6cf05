package io.rollstream.tokenizer;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * Serializable description of a tokenizer, stored in model checkpoints so the exact tokenizer can be rebuilt
 * with {@link Tokenizers#create(TokenizerSpec)}.
 *
 * <p>{@code type} is {@value #CHAR} (then {@code alphabet} holds the characters in id order) or
 * {@value #HUGGING_FACE} (then {@code path} points at a local {@code tokenizer.json}). The record itself only
 * requires {@code type} to be non-null, so that specs read from old or foreign checkpoints can still be
 * deserialized; {@link Tokenizers#create(TokenizerSpec)} reports unknown types and missing fields.
 *
 * @param type {@value #CHAR} or {@value #HUGGING_FACE}
 * @param alphabet characters of a char tokenizer in id order; null for other types
 * @param path path of a Hugging Face {@code tokenizer.json}; null for other types
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TokenizerSpec(String type, String alphabet, String path) implements java.io.Serializable {

    /** Type name of {@link CharTokenizer}. */
    public static final String CHAR = "char";
    /** Type name of {@link HuggingFaceTokenizerAdapter}. */
    public static final String HUGGING_FACE = "huggingface";

    public TokenizerSpec {
        Objects.requireNonNull(type, "tokenizer spec type must not be null");
    }

    /** Spec of a {@link CharTokenizer} over {@code alphabet}. */
    public static TokenizerSpec chars(String alphabet) {
        return new TokenizerSpec(CHAR, Objects.requireNonNull(alphabet, "alphabet must not be null"), null);
    }

    /** Spec of a {@link HuggingFaceTokenizerAdapter} loaded from the {@code tokenizer.json} at {@code path}. */
    public static TokenizerSpec huggingFace(String path) {
        return new TokenizerSpec(HUGGING_FACE, null, Objects.requireNonNull(path, "path must not be null"));
    }
}
