package io.rollstream.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Appends one JSON line per record to a file in the run directory, exactly once across failures
 * and resumes. Used with parallelism 1 (one writer per file).
 *
 * <p>Each line is written and flushed as it arrives, so a run in progress can be watched and
 * plotted. The writer's checkpointed state is the file's length at the checkpoint; a restored
 * writer first truncates the file to that length. Lines written after the restored checkpoint
 * belong to the history the restore discards: the job produces them again (or different ones, in
 * asynchronous mode), so after a restore the file holds each record of the surviving history once,
 * with no gap. A restart before the first checkpoint has no state: it cuts the file back to its
 * length when the job was built. This needs a file system that can truncate (local disk, NFS), which is where run
 * directories live; a transactional sink (files committed on checkpoint completion) would delay
 * every line by a checkpoint interval and break live progress.
 *
 * @param <T> record type; {@code toLine} renders it (returning null skips the record)
 */
public final class JsonLinesSink<T> implements Sink<T>, SupportsWriterState<T, Long> {

    private final String path;
    private final LineRenderer<T> toLine;
    private final long lengthAtBuild;

    /** A sink appending to {@code path}; notes the file's current length (see the class comment). */
    public JsonLinesSink(String path, LineRenderer<T> toLine) {
        this.path = path;
        this.toLine = toLine;
        Path file = Paths.get(path);
        try {
            this.lengthAtBuild = Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the length of " + path, e);
        }
    }

    @Override
    public StatefulSinkWriter<T, Long> createWriter(WriterInitContext context) throws IOException {
        boolean restart = context.getTaskInfo().getAttemptNumber() > 0;
        return new Writer<>(open(restart ? Long.valueOf(lengthAtBuild) : null), path, toLine);
    }

    @Override
    public StatefulSinkWriter<T, Long> restoreWriter(WriterInitContext context, Collection<Long> recoveredState)
            throws IOException {
        if (recoveredState.size() > 1) {
            throw new IllegalStateException(
                    path + " is written by one writer, but " + recoveredState.size() + " writer states were restored");
        }
        return new Writer<>(
                open(recoveredState.isEmpty() ? null : recoveredState.iterator().next()), path, toLine);
    }

    @Override
    public SimpleVersionedSerializer<Long> getWriterStateSerializer() {
        return new LengthSerializer();
    }

    /** Opens the file for appending, first cutting it back to {@code restoredLength} when given. */
    private FileChannel open(Long restoredLength) throws IOException {
        Path file = Paths.get(path);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        if (restoredLength != null) {
            long size = channel.size();
            if (size < restoredLength) {
                channel.close();
                throw new IllegalStateException(path + " has " + size + " bytes but the restored checkpoint wrote "
                        + restoredLength + ": the file was shortened outside the job; restore it or resume into a"
                        + " fresh --run-dir");
            }
            channel.truncate(restoredLength);
        }
        channel.position(channel.size());
        return channel;
    }

    private static final class Writer<T> implements StatefulSinkWriter<T, Long> {
        private final FileChannel out;
        private final String path;
        private final LineRenderer<T> toLine;

        Writer(FileChannel out, String path, LineRenderer<T> toLine) {
            this.out = out;
            this.path = path;
            this.toLine = toLine;
        }

        @Override
        public void write(T element, Context ctx) throws IOException {
            String line;
            try {
                line = toLine.render(element);
            } catch (Exception e) {
                throw new IOException("could not render a record for " + path, e);
            }
            if (line != null) {
                ByteBuffer bytes = StandardCharsets.UTF_8.encode(line + "\n");
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
            }
        }

        @Override
        public List<Long> snapshotState(long checkpointId) throws IOException {
            out.force(false);
            return List.of(out.position());
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            out.force(false);
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** The checkpointed file length, as 8 bytes. */
    static final class LengthSerializer implements SimpleVersionedSerializer<Long> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Long length) {
            return ByteBuffer.allocate(Long.BYTES).putLong(length).array();
        }

        @Override
        public Long deserialize(int version, byte[] serialized) {
            if (version != 1 || serialized.length != Long.BYTES) {
                throw new IllegalArgumentException(
                        "unknown JSON-lines writer state (version " + version + ", " + serialized.length + " bytes)");
            }
            return ByteBuffer.wrap(serialized).getLong();
        }
    }
}
