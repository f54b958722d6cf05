package io.rollstream.tokenizer;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.Serializable;
import java.util.Objects;

/**
 * Serializable description of a tokenizer, stored in model checkpoints so the exact tokenizer can be rebuilt
 * with {@link Tokenizers#create(TokenizerSpec)}.
 *
 * <p>{@code type} is {@value #CHAR} (then {@code alphabet} holds the characters in id order),
 * {@value #HUGGING_FACE} (then {@code path} points at a local {@code tokenizer.json}) or
 * {@value #HUGGING_FACE_MODEL} (then {@code path} is a Hugging Face model directory: its tokenizer with the
 * special tokens, stop ids and chat template its configs give). {@code prompt} says how problems become prompts
 * with it ({@link PromptCodec}); it travels with the tokenizer so that every stage that rebuilds the codec from a
 * checkpoint formats prompts alike. The record itself only
 * requires {@code type} to be non-null, so that specs read from old or foreign checkpoints can still be
 * deserialized; {@link Tokenizers#create(TokenizerSpec)} reports unknown types and missing fields.
 *
 * @param type {@value #CHAR} or {@value #HUGGING_FACE}
 * @param alphabet characters of a char tokenizer in id order; null for other types
 * @param path path of a Hugging Face {@code tokenizer.json} or model directory; null for other types
 * @param prompt how prompts are formatted; null means {@link PromptFormat#RAW}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TokenizerSpec(String type, String alphabet, String path, PromptFormat prompt) implements Serializable {

    /** Type name of {@link CharTokenizer}. */
    public static final String CHAR = "char";
    /** Type name of {@link HuggingFaceTokenizerAdapter}. */
    public static final String HUGGING_FACE = "huggingface";
    /** Type name of the tokenizer of a Hugging Face model directory ({@link Tokenizers#fromModelDirectory}). */
    public static final String HUGGING_FACE_MODEL = "huggingface_model";

    public TokenizerSpec {
        Objects.requireNonNull(type, "tokenizer spec type must not be null");
    }

    /** Spec of a {@link CharTokenizer} over {@code alphabet}. */
    public static TokenizerSpec chars(String alphabet) {
        return new TokenizerSpec(CHAR, Objects.requireNonNull(alphabet, "alphabet must not be null"), null, null);
    }

    /** Spec of a {@link HuggingFaceTokenizerAdapter} loaded from the {@code tokenizer.json} at {@code path}. */
    public static TokenizerSpec huggingFace(String path) {
        return new TokenizerSpec(HUGGING_FACE, null, Objects.requireNonNull(path, "path must not be null"), null);
    }

    /** Spec of the tokenizer of the Hugging Face model directory {@code dir}. */
    public static TokenizerSpec huggingFaceModel(String dir) {
        return new TokenizerSpec(HUGGING_FACE_MODEL, null, Objects.requireNonNull(dir, "dir must not be null"), null);
    }

    /** This spec with prompts formatted as {@code format} ({@link PromptFormat#RAW} is stored as no format). */
    public TokenizerSpec withPrompt(PromptFormat format) {
        return new TokenizerSpec(type, alphabet, path, PromptFormat.RAW.equals(format) ? null : format);
    }

    /** How prompts are formatted with this tokenizer. */
    public PromptFormat promptFormat() {
        return prompt == null ? PromptFormat.RAW : prompt;
    }

    /** This spec without its prompt format: what decides the token ids (compare these for "same tokenizer"). */
    public TokenizerSpec tokens() {
        return withPrompt(PromptFormat.RAW);
    }
}
