package io.rollstream.tokenizer;

/**
 * Builds a {@link Tokenizer} from its {@link TokenizerSpec}; the inverse of {@link Tokenizer#spec()}.
 *
 * <p>The caller owns the result; tokenizers that are {@link AutoCloseable} (Hugging Face) must be closed.
 */
public final class Tokenizers {

    private Tokenizers() {
    }

    /**
     * Creates the tokenizer {@code spec} describes.
     *
     * @throws IllegalArgumentException for an unknown type or a spec missing the field its type needs
     */
    public static Tokenizer create(TokenizerSpec spec) {
        return switch (spec.type()) {
            case TokenizerSpec.CHAR -> new CharTokenizer(require(spec.alphabet(), "alphabet", spec));
            case TokenizerSpec.HUGGING_FACE -> HuggingFaceTokenizerAdapter.load(require(spec.path(), "path", spec));
            default -> throw new IllegalArgumentException("Unknown tokenizer type '" + spec.type() + "' in " + spec
                    + "; known types: [" + TokenizerSpec.CHAR + ", " + TokenizerSpec.HUGGING_FACE + "]");
        };
    }

    private static String require(String value, String field, TokenizerSpec spec) {
        if (value == null) {
            throw new IllegalArgumentException("Tokenizer spec of type '" + spec.type() + "' needs a '" + field
                    + "': " + spec);
        }
        return value;
    }
}
