package io.rollstream.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Lines of a UTF-8 text file, as Flink's {@code TextLineInputFormat} reads them (a line ends at
 * {@code \n}, {@code \r} or {@code \r\n}; invalid bytes decode to U+FFFD), except that no line is
 * held in memory beyond {@link #MAX_LINE_BYTES}: of a longer line only its beginning is kept (for
 * the refused record) and the rest is counted and skipped, so one endless line cannot exhaust the
 * heap of the job.
 */
final class BoundedLineFormat extends SimpleStreamFormat<BoundedLineFormat.Line> {

    /** Longest line read as a record: 16 MiB (Jackson reads strings of up to 20 M characters). */
    static final int MAX_LINE_BYTES = 16 << 20;

    /** Bytes of an over-long line that are kept, to show in its refusal. */
    static final int KEPT_OF_TOO_LONG = 4096;

    private static final int CHUNK = 64 << 10;

    /**
     * One line.
     *
     * @param text the decoded line, or only its beginning when {@code bytes > MAX_LINE_BYTES}
     * @param bytes the line's full length in bytes, without its line break
     */
    record Line(String text, long bytes) {}

    @Override
    public StreamFormat.Reader<Line> createReader(Configuration config, FSDataInputStream stream) {
        return new Reader(stream);
    }

    @Override
    public TypeInformation<Line> getProducedType() {
        return TypeInformation.of(Line.class);
    }

    /** Reads line by line through a fixed chunk buffer; the line buffer grows up to {@link #MAX_LINE_BYTES}. */
    static final class Reader implements StreamFormat.Reader<Line> {
        private final InputStream in;
        private final byte[] chunk = new byte[CHUNK];
        private int position;
        private int limit;
        private boolean afterCarriageReturn;
        private byte[] kept = new byte[256];
        private int keptLength;

        Reader(InputStream in) {
            this.in = in;
        }

        @Override
        public Line read() throws IOException {
            keptLength = 0;
            long bytes = 0;
            boolean started = false;
            while (true) {
                if (position == limit && !fill()) {
                    return started ? line(bytes) : null;
                }
                if (afterCarriageReturn) { // "\r\n" is one line break
                    afterCarriageReturn = false;
                    if (chunk[position] == '\n') {
                        position++;
                        continue;
                    }
                }
                started = true;
                int start = position;
                while (position < limit && chunk[position] != '\n' && chunk[position] != '\r') {
                    position++;
                }
                keep(start, position - start, bytes);
                bytes += position - start;
                if (position < limit) {
                    afterCarriageReturn = chunk[position] == '\r';
                    position++;
                    return line(bytes);
                }
            }
        }

        private boolean fill() throws IOException {
            int n = in.read(chunk, 0, chunk.length);
            while (n == 0) {
                n = in.read(chunk, 0, chunk.length);
            }
            position = 0;
            limit = Math.max(n, 0);
            return n > 0;
        }

        /** Appends what fits under {@link #MAX_LINE_BYTES}; {@code before} bytes of the line came earlier. */
        private void keep(int start, int length, long before) {
            long room = MAX_LINE_BYTES - before;
            int n = (int) Math.min(length, Math.max(room, 0));
            if (n == 0) {
                return;
            }
            if (keptLength + n > kept.length) {
                kept = Arrays.copyOf(kept, (int) Math.min(MAX_LINE_BYTES, Math.max(2L * kept.length, keptLength + n)));
            }
            System.arraycopy(chunk, start, kept, keptLength, n);
            keptLength += n;
        }

        private Line line(long bytes) {
            int shown = bytes > MAX_LINE_BYTES ? Math.min(keptLength, KEPT_OF_TOO_LONG) : keptLength;
            String text = new String(kept, 0, shown, StandardCharsets.UTF_8);
            if (kept.length > CHUNK) {
                kept = new byte[256]; // a long line's buffer is not kept for the lines after it
            }
            return new Line(text, bytes);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
