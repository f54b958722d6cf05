package io.rollstream.common;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/** Whole-file reads and crash-safe writes on any Flink file system, and the checksum they are verified with. */
public final class FlinkFiles {

    private FlinkFiles() {}

    /**
     * Writes {@code bytes} to {@code target} under a temporary name, then renames it: a reader sees
     * the old file, no file, or the whole new one, never a torn one.
     */
    public static void writeAtomically(Path target, byte[] bytes) throws IOException {
        writeAtomically(target, out -> {
            out.write(bytes);
            return null;
        });
    }

    /** Writes a file's content to a stream; returns what the caller wants to know of it (e.g. its checksum). */
    @FunctionalInterface
    public interface StreamWriter<T> {
        T write(OutputStream out) throws IOException;
    }

    /**
     * Streams a file to {@code target} under a temporary name, then renames it (see {@link
     * #writeAtomically(Path, byte[])}); a failed write leaves no temporary file behind.
     *
     * @return what {@code writer} returned
     */
    public static <T> T writeAtomically(Path target, StreamWriter<T> writer) throws IOException {
        FileSystem fs = target.getFileSystem();
        Path temp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + System.nanoTime());
        T result;
        try (FSDataOutputStream out = fs.create(temp, FileSystem.WriteMode.OVERWRITE)) {
            BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 20) {
                @Override
                public void close() throws IOException {
                    flush(); // the Flink stream is closed (after sync) by the enclosing try
                }
            };
            result = writer.write(buffered);
            buffered.flush();
            out.sync();
        } catch (IOException | RuntimeException e) {
            fs.delete(temp, false);
            throw e;
        }
        if (!fs.rename(temp, target)) {
            fs.delete(temp, false);
            throw new IOException("could not rename " + temp + " to " + target);
        }
        return result;
    }

    public static byte[] read(Path path) throws IOException {
        try (FSDataInputStream in = path.getFileSystem().open(path)) {
            return in.readAllBytes();
        }
    }

    /** Hex SHA-256. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
