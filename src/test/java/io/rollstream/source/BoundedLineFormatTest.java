package io.rollstream.source;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bounded line reader splits and decodes as {@link BufferedReader#readLine} does, and cuts endless lines. */
class BoundedLineFormatTest {

    private static List<BoundedLineFormat.Line> lines(InputStream in) throws IOException {
        List<BoundedLineFormat.Line> lines = new ArrayList<>();
        try (BoundedLineFormat.Reader reader = new BoundedLineFormat.Reader(in)) {
            for (BoundedLineFormat.Line line = reader.read(); line != null; line = reader.read()) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static List<String> readLine(byte[] bytes) throws IOException {
        List<String> lines = new ArrayList<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(bytes), UTF_8));
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            lines.add(line);
        }
        return lines;
    }

    @Test
    void splitsAndDecodesLikeReadLine() throws IOException {
        byte[] bytes = "a\nb\r\nc\rd\n\n\r\n\u00e9\u20ac\ud83d\ude00\nlast".getBytes(UTF_8);
        byte[] broken = {'x', (byte) 0xC3, '(', '\n', (byte) 0xE2, (byte) 0x82};
        for (byte[] input : List.of(bytes, broken, "".getBytes(UTF_8), "\n".getBytes(UTF_8), "a\r".getBytes(UTF_8))) {
            assertThat(lines(new ByteArrayInputStream(input)))
                    .extracting(BoundedLineFormat.Line::text)
                    .containsExactlyElementsOf(readLine(input));
        }
        assertThat(lines(new ByteArrayInputStream(bytes)))
                .extracting(BoundedLineFormat.Line::bytes)
                .containsExactly(1L, 1L, 1L, 1L, 0L, 0L, 9L, 4L);
    }

    @Test
    void aLineLongerThanTheLimitKeepsOnlyItsBeginningAndTheNextLinesAreIntact() throws IOException {
        long length = 3L * BoundedLineFormat.MAX_LINE_BYTES; // 48 MiB, never held: streamed from a generator
        InputStream in = new SequenceInputStream(Collections.enumeration(List.of(
                new ByteArrayInputStream("first\n".getBytes(UTF_8)),
                repeated((byte) 'x', length),
                new ByteArrayInputStream("\nafter\n".getBytes(UTF_8)))));

        List<BoundedLineFormat.Line> lines = lines(in);

        assertThat(lines)
                .extracting(BoundedLineFormat.Line::text)
                .containsExactly("first", "x".repeat(BoundedLineFormat.KEPT_OF_TOO_LONG), "after");
        assertThat(lines.get(1).bytes()).isEqualTo(length);
        assertThat(new SourceLine("f", 2, lines.get(1).text(), lines.get(1).bytes()).tooLong())
                .isTrue();
        assertThat(ParseResult.tooLong(
                        new SourceLine("f", 2, lines.get(1).text(), lines.get(1).bytes())))
                .isInstanceOfSatisfying(
                        ParseResult.Invalid.class,
                        r -> assertThat(r.record().reason())
                                .isEqualTo(
                                        "the line has 50,331,648 bytes, more than the 16,777,216 a record may have"));
    }

    @Test
    void aLineOfExactlyTheLimitIsReadWhole() throws IOException {
        byte[] line = new byte[BoundedLineFormat.MAX_LINE_BYTES];
        Arrays.fill(line, (byte) '7');
        List<BoundedLineFormat.Line> lines = lines(new ByteArrayInputStream(line));
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).text()).hasSize(BoundedLineFormat.MAX_LINE_BYTES);
        assertThat(new SourceLine("f", 1, lines.get(0).text(), lines.get(0).bytes()).tooLong())
                .isFalse();
    }

    /** {@code count} copies of {@code b}, generated as read. */
    private static InputStream repeated(byte b, long count) {
        return new InputStream() {
            private long left = count;

            @Override
            public int read() {
                return left-- > 0 ? b : -1;
            }

            @Override
            public int read(byte[] buffer, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                Arrays.fill(buffer, off, off + n, b);
                left -= n;
                return n;
            }
        };
    }
}
