package io.rollstream.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The README's copy of the benchmark tables: {@code bench all} replaces whatever lies between
 * {@link #BEGIN} and {@link #END} with its latest results, so the README shows the numbers the
 * code produced rather than a hand-copied, ageing table. Everything outside the markers is kept
 * byte for byte.
 */
public final class ReadmeBlock {

    public static final String BEGIN = "<!-- bench all: begin (written by jobs/rollstream bench all) -->";
    public static final String END = "<!-- bench all: end -->";

    private ReadmeBlock() {}

    /**
     * The benchmark document as a README block: its title dropped and its sections one heading
     * level down, so they nest under the README's own "Benchmarks" section.
     */
    static String nested(String benchmarksMarkdown) {
        String body = benchmarksMarkdown.startsWith("# ")
                ? benchmarksMarkdown.substring(benchmarksMarkdown.indexOf('\n') + 1) : benchmarksMarkdown;
        return body.strip().replace("\n## ", "\n### ").replaceFirst("^## ", "### ");
    }

    /** {@code text} with the block between the markers replaced by {@code block}. */
    static String replace(String text, String block) {
        return replace(text, BEGIN, END, block);
    }

    /** {@code text} with whatever lies between the lines {@code begin} and {@code end} replaced by {@code block}. */
    public static String replace(String text, String begin, String end, String block) {
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("no '" + begin + "' ... '" + end + "' block, in that order");
        }
        return text.substring(0, from + begin.length()) + "\n" + block + "\n" + text.substring(to);
    }

    /** Checks that {@code readme} has the block, before a long benchmark run rather than after it. */
    public static void requireBlock(Path readme) throws IOException {
        withBlock(readme, "");
    }

    /**
     * Writes {@code benchmarksMarkdown} into {@code readme}'s block.
     *
     * @throws IllegalArgumentException when the file lacks the markers (naming the file and the fix)
     */
    public static void update(Path readme, String benchmarksMarkdown) throws IOException {
        Files.writeString(readme, withBlock(readme, nested(benchmarksMarkdown)), StandardCharsets.UTF_8);
    }

    /** {@code readme}'s text with {@code block} between the markers; the file is not written. */
    private static String withBlock(Path readme, String block) throws IOException {
        try {
            return replace(Files.readString(readme, StandardCharsets.UTF_8), block);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(readme + " has " + e.getMessage() + ": add the two marker lines where"
                    + " the tables belong, or pass --readme none", e);
        }
    }
}
