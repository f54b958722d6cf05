package io.rollstream.policy;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.common.FlinkFiles;
import io.rollstream.common.Json;

import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.Optional;

/**
 * Policy versions on any Flink file system (local disk, NFS, S3, HDFS): immutable
 * {@code step-NNNNNN/} folders holding a weights-only checkpoint, made visible by a
 * {@code MANIFEST.json} written last (temporary name, then rename). Readers only ever consider
 * versions with a manifest and verify the checksum on load, so they never see a torn version.
 * The store keeps versions only; the run's control signals (the fence that hides a failed
 * attempt's versions, the finished and stopping markers) are {@link RunSignals}.
 *
 * <p>A version republished by a later attempt (after a restore, see {@link RunSignals#fence}) gets
 * a new weights file (named after the attempt) and then a new manifest, so a reader always finds
 * the file its manifest names.
 *
 * <p>Old versions are deleted by the learner ({@link PolicyCollector}) once no generator and no
 * retained checkpoint needs them; a deletion removes the manifest first.
 */
public final class PolicyStore implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final String MANIFEST = "MANIFEST.json";

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
        return publish(checkpoint, attempt, 0);
    }

    /**
     * As {@link #publish(Checkpoint, String)}, recording in the manifest how many groups batch
     * assembly had dropped as stale by the batch that produced this version (see {@link
     * PolicyManifest#groupsDroppedStale}).
     */
    public PolicyManifest publish(Checkpoint checkpoint, String attempt, long groupsDroppedStale) throws IOException {
        long version = checkpoint.step();
        Path dir = new Path(root, folder(version));
        FileSystem fs = dir.getFileSystem();
        fs.mkdirs(dir);
        byte[] bytes = CheckpointFormat.toBytes(checkpoint.weightsOnly());
        String weights = weightsFile(attempt);
        FlinkFiles.writeAtomically(new Path(dir, weights), bytes);
        PolicyManifest manifest = new PolicyManifest(version, weights, FlinkFiles.sha256(bytes), bytes.length, attempt,
                System.currentTimeMillis(), groupsDroppedStale);
        FlinkFiles.writeAtomically(new Path(dir, MANIFEST), Json.mapper().writeValueAsBytes(manifest));
        // An earlier attempt's weights file stays until the version is deleted: a generator restored
        // with groups pinned to this version may be reading it through the previous manifest.
        return manifest;
    }

    /**
     * Deletes a version: its manifest first, so no reader starts on it, then its folder. Only the
     * learner calls this, for versions no generator or retained checkpoint needs
     * ({@link PolicyCollector}).
     */
    public void delete(long version) throws IOException {
        Path dir = new Path(root, folder(version));
        FileSystem fs = dir.getFileSystem();
        fs.delete(new Path(dir, MANIFEST), false);
        fs.delete(dir, true);
    }

    /** Whether {@code version} has a manifest (published and not deleted). */
    public boolean isVisible(long version) throws IOException {
        Path path = new Path(new Path(root, folder(version)), MANIFEST);
        return path.getFileSystem().exists(path);
    }

    /** Every version folder in the store (with or without a manifest), oldest first. */
    public java.util.NavigableSet<Long> versions() throws IOException {
        java.util.TreeSet<Long> versions = new java.util.TreeSet<>();
        Path rootPath = new Path(root);
        FileSystem fs = rootPath.getFileSystem();
        if (!fs.exists(rootPath)) {
            return versions;
        }
        FileStatus[] entries = fs.listStatus(rootPath);
        for (FileStatus entry : entries == null ? new FileStatus[0] : entries) {
            String name = entry.getPath().getName();
            if (entry.isDir() && name.matches("step-\\d+")) {
                versions.add(Long.parseLong(name.substring(5)));
            }
        }
        return versions;
    }

    /** Weights file name of an attempt: the attempt id with anything but letters and digits as '_'. */
    static String weightsFile(String attempt) {
        return "policy-" + attempt.replaceAll("[^A-Za-z0-9]", "_") + CheckpointFormat.SUFFIX;
    }

    /**
     * The newest visible version that {@code fence} admits (every visible version when there is no
     * fence); see {@link RunSignals#latestFor} for the view of a generator attempt.
     */
    public Optional<PolicyManifest> latest(Optional<PolicyFence> fence) throws IOException {
        java.util.NavigableSet<Long> versions = versions();
        // Newest first, and only as far as the first visible one: a poll costs one listing and a
        // few reads, however many versions the store holds.
        for (Long version : versions.descendingSet()) {
            if (!isVisible(version)) {
                continue; // being written (its manifest comes last) or being deleted (its manifest goes first)
            }
            PolicyManifest manifest;
            try {
                manifest = manifest(version);
            } catch (java.io.FileNotFoundException deletedMeanwhile) {
                continue;
            }
            if (fence.isEmpty() || fence.get().admits(manifest)) {
                return Optional.of(manifest);
            }
        }
        return Optional.empty();
    }

    /** The manifest of a visible version. */
    public PolicyManifest manifest(long version) throws IOException {
        Path path = new Path(new Path(root, folder(version)), MANIFEST);
        return Json.mapper().readValue(FlinkFiles.read(path), PolicyManifest.class);
    }

    /** Loads and verifies a visible version. */
    public Checkpoint load(long version) throws IOException {
        PolicyManifest manifest = manifest(version);
        Path path = new Path(new Path(root, folder(version)), manifest.file());
        byte[] bytes = FlinkFiles.read(path);
        if (!FlinkFiles.sha256(bytes).equals(manifest.sha256())) {
            throw new IOException("policy version " + version + " at " + path + " does not match its manifest checksum");
        }
        return CheckpointFormat.read(new ByteArrayInputStream(bytes));
    }
}
