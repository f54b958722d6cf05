package io.rollstream.tokenizer;

/**
 * Maps text to token ids and back for a language model.
 *
 * <p>Invariants every implementation keeps:
 * <ul>
 *   <li>{@link #padId()}, {@link #bosId()} and {@link #eosId()} are valid ids in {@code [0, vocabSize())};
 *       BOS and EOS may coincide (e.g. GPT-2's {@code <|endoftext|>}), PAD is distinct from both in practice
 *       but callers must not rely on it.</li>
 *   <li>{@link #encode(String)} never adds BOS/EOS and never silently drops or replaces a character: text it
 *       cannot represent raises {@link UnencodableTextException}.</li>
 *   <li>{@link #spec()} recreates an equivalent tokenizer through {@link Tokenizers#create(TokenizerSpec)}.</li>
 * </ul>
 */
public interface Tokenizer {

    /**
     * Encodes text to ids without BOS/EOS.
     *
     * @throws UnencodableTextException naming the offending character (quoted, plus its U+XXXX code point)
     *     and its index in the text
     */
    int[] encode(String text);

    /** Decodes ids to text, skipping PAD/BOS/EOS ids. Ids outside {@code [0, vocabSize())} are rejected. */
    String decode(int[] ids);

    /** Number of ids; every id this tokenizer produces or accepts lies in {@code [0, vocabSize())}. */
    int vocabSize();

    /** Id used to pad sequences to equal length. */
    int padId();

    /** Id that starts a sequence. */
    int bosId();

    /** Id that ends a sequence. */
    int eosId();

    /** The spec that recreates this tokenizer (stored inside model checkpoints). */
    TokenizerSpec spec();
}
