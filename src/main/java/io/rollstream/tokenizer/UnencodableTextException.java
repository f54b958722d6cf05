package io.rollstream.tokenizer;

/**
 * Thrown when a tokenizer cannot represent a character of its input.
 *
 * <p>The message always names the character quoted, its {@code U+XXXX} code point and its index in the text,
 * so a user can find it without a debugger. {@link #index()} is a UTF-16 {@code String} index (the one
 * {@link String#codePointAt(int)} takes), which equals the code point position for text without surrogate pairs.
 */
public final class UnencodableTextException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final int codePoint;
    private final int index;

    /**
     * @param text the text being encoded
     * @param index UTF-16 index of the offending character in {@code text}
     * @param reason what the tokenizer could not do with it, e.g. "is not in the alphabet"
     */
    public UnencodableTextException(String text, int index, String reason) {
        super(message(text, index, reason));
        this.codePoint = text.codePointAt(index);
        this.index = index;
    }

    /** The offending Unicode code point. */
    public int codePoint() {
        return codePoint;
    }

    /** UTF-16 index of the offending character in the encoded text. */
    public int index() {
        return index;
    }

    /** Formats a code point as {@code 'x' (U+0078)}; used by messages that name characters. */
    static String describe(int codePoint) {
        return "'" + new String(Character.toChars(codePoint)) + "' (" + String.format("U+%04X", codePoint) + ")";
    }

    private static String message(String text, int index, String reason) {
        return "Cannot encode character " + describe(text.codePointAt(index)) + " at index " + index + " of text "
                + abbreviate(text) + ": " + reason;
    }

    private static String abbreviate(String text) {
        final int limit = 80;
        return '"' + (text.length() <= limit ? text : text.substring(0, limit) + "...") + '"';
    }
}
