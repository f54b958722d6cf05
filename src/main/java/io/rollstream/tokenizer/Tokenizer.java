package io.rollstream.tokenizer;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Maps text to token ids and back for a language model, and says what a model's prompts and completions need
 * around them: which ids end a completion, whether a prompt starts with BOS, the model's chat template.
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
     * Encodes text to ids without adding BOS/EOS. Texts of special tokens in {@code text} (see
     * {@link #specialTokenTexts()}) become those tokens' ids, as Hugging Face tokenizers do.
     *
     * @throws UnencodableTextException naming the offending character (quoted, plus its U+XXXX code point)
     *     and its index in the text
     */
    int[] encode(String text);

    /**
     * Decodes ids to text, skipping PAD, BOS and stop ids. Ids outside {@code [0, vocabSize())} are rejected.
     */
    String decode(int[] ids);

    /** Number of ids; every id this tokenizer produces or accepts lies in {@code [0, vocabSize())}. */
    int vocabSize();

    /** Id used to pad sequences to equal length. */
    int padId();

    /** Id that starts a sequence. */
    int bosId();

    /** Id that ends a sequence: what a demonstration ends with (the model's {@code eos_token}). */
    int eosId();

    /**
     * Every id that ends a completion: a completion stops at the first of them. Contains {@link #eosId()};
     * chat models add others (Qwen's {@code <|im_end|>} and {@code <|endoftext|>}, Llama 3's {@code <|eot_id|>}
     * and {@code <|end_of_text|>}).
     */
    default Set<Integer> stopIds() {
        return Set.of(eosId());
    }

    /** Whether a raw prompt starts with {@link #bosId()} (Llama: yes; Qwen: no). */
    default boolean addsBos() {
        return true;
    }

    /**
     * The texts {@link #encode} turns into special (control) token ids wherever they occur, such as
     * {@code <|im_end|>}; empty when no text does. {@link PromptCodec} uses them to keep untrusted text literal.
     */
    default List<String> specialTokenTexts() {
        return List.of();
    }

    /** The model's chat template, if it has one (a Hugging Face model directory's). */
    default Optional<ChatTemplate> chatTemplate() {
        return Optional.empty();
    }

    /** The spec that recreates this tokenizer (stored inside model checkpoints). */
    TokenizerSpec spec();
}
