package io.rollstream.source;

import java.nio.charset.StandardCharsets;

/**
 * One line of a text file with where it came from.
 *
 * @param file path of the file
 * @param line 1-based line number in that file
 * @param text the line without its line break; only its beginning when the line is {@link #tooLong()}
 * @param bytes the line's length in bytes (UTF-8, without its line break)
 */
public record SourceLine(String file, long line, String text, long bytes) {

    /** A line of {@code text} (its length counted in UTF-8 bytes). */
    public SourceLine(String file, long line, String text) {
        this(file, line, text, text.getBytes(StandardCharsets.UTF_8).length);
    }

    /** {@code file:line}, as written to refused records. */
    public String origin() {
        return file + ":" + line;
    }

    /** Whether the line is longer than a record may be ({@link BoundedLineFormat#MAX_LINE_BYTES}). */
    public boolean tooLong() {
        return bytes > BoundedLineFormat.MAX_LINE_BYTES;
    }
}
