package io.rollstream.output;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

/**
 * Appends one JSON line per record to a file in the run directory. Used with parallelism 1 (one
 * writer per file). Each line is flushed as it is written, so a run in progress can be watched
 * and plotted, and a crash loses at most the line being written.
 *
 * @param <T> record type; {@code toLine} renders it (returning null skips the record)
 */
public final class JsonLinesSink<T> implements Sink<T> {

    private final String path;
    private final LineRenderer<T> toLine;

    public JsonLinesSink(String path, LineRenderer<T> toLine) {
        this.path = path;
        this.toLine = toLine;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        Path file = Paths.get(path);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) throws IOException {
                String line;
                try {
                    line = toLine.render(element);
                } catch (Exception e) {
                    throw new IOException("could not render a record for " + path, e);
                }
                if (line != null) {
                    out.write(line);
                    out.write('\n');
                    out.flush();
                }
            }

            @Override
            public void flush(boolean endOfInput) throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }
}
