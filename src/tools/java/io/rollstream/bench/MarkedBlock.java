package io.rollstream.bench;

/**
 * A generated block inside a hand-written document: whatever lies between a begin and an end marker
 * line is replaced, everything outside them is kept byte for byte. Reports under {@code docs/} use
 * it to refresh their tables without touching their prose.
 */
public final class MarkedBlock {

    private MarkedBlock() {}

    /**
     * {@code text} with whatever lies between the lines {@code begin} and {@code end} replaced by
     * {@code block}.
     *
     * @throws IllegalArgumentException when the markers are missing or out of order
     */
    public static String replace(String text, String begin, String end, String block) {
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("no '" + begin + "' ... '" + end + "' block, in that order");
        }
        return text.substring(0, from + begin.length()) + "\n" + block + "\n" + text.substring(to);
    }
}
