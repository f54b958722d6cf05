package io.rollstream.tokenizer;

import java.nio.file.Path;

/**
 * Builds a {@link Tokenizer} from its {@link TokenizerSpec}; the inverse of {@link Tokenizer#spec()}.
 *
 * <p>The caller owns the result; tokenizers that are {@link AutoCloseable} (Hugging Face) must be closed.
 */
public final class Tokenizers {

    private Tokenizers() {}

    /**
     * Creates the tokenizer {@code spec} describes.
     *
     * @throws IllegalArgumentException for an unknown type or a spec missing the field its type needs
     */
    public static Tokenizer create(TokenizerSpec spec) {
        return switch (spec.type()) {
            case TokenizerSpec.CHAR -> new CharTokenizer(require(spec.alphabet(), "alphabet", spec));
            case TokenizerSpec.HUGGING_FACE -> HuggingFaceTokenizerAdapter.load(require(spec.path(), "path", spec));
            case TokenizerSpec.HUGGING_FACE_MODEL -> fromModelDirectory(Path.of(require(spec.path(), "path", spec)));
            default ->
                throw new IllegalArgumentException("Unknown tokenizer type '" + spec.type() + "' in " + spec
                        + "; known types: [" + TokenizerSpec.CHAR + ", " + TokenizerSpec.HUGGING_FACE + ", "
                        + TokenizerSpec.HUGGING_FACE_MODEL + "]");
        };
    }

    /**
     * The tokenizer of a Hugging Face model directory: {@code tokenizer.json} with the special tokens, stop ids and
     * chat template of {@code tokenizer_config.json}, {@code generation_config.json} and
     * {@code chat_template.jinja}. Its {@link Tokenizer#spec()} is {@link TokenizerSpec#huggingFaceModel}.
     *
     * @throws IllegalArgumentException naming the file and the fix when the directory cannot give a tokenizer
     */
    public static HuggingFaceTokenizerAdapter fromModelDirectory(Path dir) {
        return HuggingFaceTokenizerAdapter.loadModelDirectory(dir);
    }

    private static String require(String value, String field, TokenizerSpec spec) {
        if (value == null) {
            throw new IllegalArgumentException(
                    "Tokenizer spec of type '" + spec.type() + "' needs a '" + field + "': " + spec);
        }
        return value;
    }
}
