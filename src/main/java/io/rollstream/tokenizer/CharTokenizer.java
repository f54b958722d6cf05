package io.rollstream.tokenizer;

import java.util.HashMap;
import java.util.Map;

/**
 * Tokenizer with one id per Unicode code point of a fixed alphabet.
 *
 * <p>Ids: {@value #PAD_ID} = PAD, {@value #BOS_ID} = BOS, {@value #EOS_ID} = EOS, then the alphabet's code points
 * in declared order starting at {@value #FIRST_CHAR_ID}. The alphabet must be non-empty and free of duplicates,
 * so the mapping is a bijection between alphabet code points and ids {@code [3, vocabSize())}. Immutable and
 * thread-safe.
 */
public final class CharTokenizer implements Tokenizer {

    public static final int PAD_ID = 0;
    public static final int BOS_ID = 1;
    public static final int EOS_ID = 2;
    public static final int FIRST_CHAR_ID = 3;

    private final String alphabet;
    private final int[] codePointById;
    private final Map<Integer, Integer> idByCodePoint;

    /**
     * @param alphabet every character the tokenizer can encode, each exactly once, in id order
     * @throws IllegalArgumentException if the alphabet is empty or repeats a character
     */
    public CharTokenizer(String alphabet) {
        if (alphabet == null || alphabet.isEmpty()) {
            throw new IllegalArgumentException("Char tokenizer alphabet must contain at least one character");
        }
        this.alphabet = alphabet;
        this.codePointById = new int[FIRST_CHAR_ID + alphabet.codePointCount(0, alphabet.length())];
        this.idByCodePoint = new HashMap<>();
        int id = FIRST_CHAR_ID;
        for (int i = 0; i < alphabet.length(); ) {
            int cp = alphabet.codePointAt(i);
            Integer previous = idByCodePoint.putIfAbsent(cp, id);
            if (previous != null) {
                throw new IllegalArgumentException("Char tokenizer alphabet contains "
                        + UnencodableTextException.describe(cp) + " more than once (again at index " + i
                        + "); each character must appear exactly once");
            }
            codePointById[id++] = cp;
            i += Character.charCount(cp);
        }
    }

    @Override
    public int[] encode(String text) {
        int[] ids = new int[text.codePointCount(0, text.length())];
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            Integer id = idByCodePoint.get(cp);
            if (id == null) {
                throw new UnencodableTextException(text, i, "not in the char tokenizer alphabet \"" + alphabet + '"');
            }
            ids[n++] = id;
            i += Character.charCount(cp);
        }
        return ids;
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder text = new StringBuilder(ids.length);
        for (int id : ids) {
            if (id < 0 || id >= codePointById.length) {
                throw new IllegalArgumentException(
                        "Token id " + id + " is outside the vocabulary [0, " + codePointById.length + ")");
            }
            if (id >= FIRST_CHAR_ID) {
                text.appendCodePoint(codePointById[id]);
            }
        }
        return text.toString();
    }

    @Override
    public int vocabSize() {
        return codePointById.length;
    }

    @Override
    public int padId() {
        return PAD_ID;
    }

    @Override
    public int bosId() {
        return BOS_ID;
    }

    @Override
    public int eosId() {
        return EOS_ID;
    }

    @Override
    public TokenizerSpec spec() {
        return TokenizerSpec.chars(alphabet);
    }

    @Override
    public String toString() {
        return "CharTokenizer[vocabSize=" + vocabSize() + "]";
    }
}
