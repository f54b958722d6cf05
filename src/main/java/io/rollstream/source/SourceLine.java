package io.rollstream.source;

/**
 * One line of a text file with where it came from.
 *
 * @param file path of the file
 * @param line 1-based line number in that file
 * @param text the line without its line break
 */
public record SourceLine(String file, long line, String text) {

    /** {@code file:line}, as written to refused records. */
    public String origin() {
        return file + ":" + line;
    }
}
