package io.rollstream.common;

import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Whole-file reads and crash-safe writes on any Flink file system, and the checksum they are verified with. */
public final class FlinkFiles {

    private FlinkFiles() {}

    /**
     * Writes {@code bytes} to {@code target} under a temporary name, then renames it: a reader sees
     * the old file, no file, or the whole new one, never a torn one.
     */
    public static void writeAtomically(Path target, byte[] bytes) throws IOException {
        FileSystem fs = target.getFileSystem();
        Path temp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + System.nanoTime());
        try (FSDataOutputStream out = fs.create(temp, FileSystem.WriteMode.OVERWRITE)) {
            out.write(bytes);
            out.sync();
        }
        if (!fs.rename(temp, target)) {
            fs.delete(temp, false);
            throw new IOException("could not rename " + temp + " to " + target);
        }
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
