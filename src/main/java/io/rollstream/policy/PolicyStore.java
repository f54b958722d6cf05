package io.rollstream.policy;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.common.Json;

import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Policy versions on any Flink file system (local disk, NFS, S3, HDFS): immutable
 * {@code step-NNNNNN/} folders holding a weights-only checkpoint, made visible by a
 * {@code MANIFEST.json} written last (temporary name, then rename). Readers only ever consider
 * versions with a manifest and verify the checksum on load, so they never see a torn version.
 * A {@code FINISHED} marker at the root tells generators and sources that the learner is done.
 */
public final class PolicyStore implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final String MANIFEST = "MANIFEST.json";
    private static final String WEIGHTS = "policy" + CheckpointFormat.SUFFIX;
    private static final String FINISHED = "FINISHED";

    private final String root;

    public PolicyStore(String root) {
        this.root = root;
    }

    public String root() {
        return root;
    }

    /** Folder name of a version. */
    public static String folder(long version) {
        return String.format("step-%06d", version);
    }

    /** Writes {@code checkpoint}'s weights as version {@code checkpoint.step()} and makes it visible. */
    public PolicyManifest publish(Checkpoint checkpoint, String attempt) throws IOException {
        long version = checkpoint.step();
        Path dir = new Path(root, folder(version));
        FileSystem fs = dir.getFileSystem();
        fs.mkdirs(dir);
        byte[] bytes = CheckpointFormat.toBytes(checkpoint.weightsOnly());
        write(fs, new Path(dir, WEIGHTS), bytes);
        PolicyManifest manifest = new PolicyManifest(version, WEIGHTS, sha256(bytes), bytes.length, attempt,
                System.currentTimeMillis());
        write(fs, new Path(dir, MANIFEST), Json.mapper().writeValueAsBytes(manifest));
        return manifest;
    }

    /** The newest visible version, if any. */
    public Optional<PolicyManifest> latest() throws IOException {
        Path rootPath = new Path(root);
        FileSystem fs = rootPath.getFileSystem();
        if (!fs.exists(rootPath)) {
            return Optional.empty();
        }
        FileStatus[] entries = fs.listStatus(rootPath);
        long best = -1;
        for (FileStatus entry : entries == null ? new FileStatus[0] : entries) {
            String name = entry.getPath().getName();
            if (entry.isDir() && name.startsWith("step-")) {
                long version = Long.parseLong(name.substring(5));
                if (version > best && fs.exists(new Path(entry.getPath(), MANIFEST))) {
                    best = version;
                }
            }
        }
        return best < 0 ? Optional.empty() : Optional.of(manifest(best));
    }

    /** The manifest of a visible version. */
    public PolicyManifest manifest(long version) throws IOException {
        Path path = new Path(new Path(root, folder(version)), MANIFEST);
        return Json.mapper().readValue(read(path), PolicyManifest.class);
    }

    /** Loads and verifies a visible version. */
    public Checkpoint load(long version) throws IOException {
        PolicyManifest manifest = manifest(version);
        Path path = new Path(new Path(root, folder(version)), manifest.file());
        byte[] bytes = read(path);
        if (!sha256(bytes).equals(manifest.sha256())) {
            throw new IOException("policy version " + version + " at " + path + " does not match its manifest checksum");
        }
        return CheckpointFormat.read(new ByteArrayInputStream(bytes));
    }

    /** Marks the run as finished (the learner reached its last step). */
    public void markFinished(long steps) throws IOException {
        Path path = new Path(root, FINISHED);
        write(path.getFileSystem(), path, Long.toString(steps).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Whether the learner has marked the run finished. */
    public boolean isFinished() throws IOException {
        Path path = new Path(root, FINISHED);
        return path.getFileSystem().exists(path);
    }

    /** Removes the finished marker (a resumed run continues training). */
    public void clearFinished() throws IOException {
        Path path = new Path(root, FINISHED);
        path.getFileSystem().delete(path, false);
    }

    private static void write(FileSystem fs, Path target, byte[] bytes) throws IOException {
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

    private static byte[] read(Path path) throws IOException {
        try (FSDataInputStream in = path.getFileSystem().open(path)) {
            return in.readAllBytes();
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
