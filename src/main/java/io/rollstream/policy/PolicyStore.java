package io.rollstream.policy;

import io.rollstream.checkpoint.Adapter;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.common.FlinkFiles;
import io.rollstream.common.Json;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Policy versions on any Flink file system (local disk, NFS, S3, HDFS): immutable
 * {@code step-NNNNNN/} folders holding a weights-only checkpoint (a safetensors file, streamed
 * tensor by tensor: {@link CheckpointFormat}), made visible by a {@code MANIFEST.json} written last
 * (temporary name, then rename) that records the file's checksum. Readers only ever consider
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
    /** Listings retried when entries vanish under them; each deletion spoils at most one. */
    private static final int LISTING_ATTEMPTS = 100;

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
        String weights = weightsFile(attempt);
        Path file = new Path(dir, weights);
        String checksum =
                FlinkFiles.writeAtomically(file, out -> CheckpointFormat.write(checkpoint.weightsOnly(), out));
        PolicyManifest manifest = new PolicyManifest(
                version,
                weights,
                checksum,
                fs.getFileStatus(file).getLen(),
                attempt,
                System.currentTimeMillis(),
                groupsDroppedStale);
        FlinkFiles.writeAtomically(new Path(dir, MANIFEST), Json.mapper().writeValueAsBytes(manifest));
        // An earlier attempt's weights file stays until the version is deleted: a generator restored
        // with groups pinned to this version may be reading it through the previous manifest.
        return manifest;
    }

    /** File name of the base model a run's LoRA adapters adapt, at the store's root (never collected). */
    static final String BASE_MODEL = "base-model" + CheckpointFormat.SUFFIX;

    /**
     * Writes the full model {@code base} that the run's LoRA adapters adapt (a builtin model, or one
     * warm-started by SFT) at the store's root, where every generator and the learner find it.
     *
     * @return the adapters' reference to it: its path and checksum
     */
    public Adapter.Base publishBase(Checkpoint base) throws IOException {
        if (base.adapter() != null) {
            throw new IllegalArgumentException("the base of LoRA adapters must be a full model, not adapters");
        }
        Path file = new Path(root, BASE_MODEL);
        file.getFileSystem().mkdirs(new Path(root));
        String checksum = FlinkFiles.writeAtomically(file, out -> CheckpointFormat.write(base.weightsOnly(), out));
        return new Adapter.Base(Adapter.Base.CHECKPOINT, file.toString(), checksum);
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
    public NavigableSet<Long> versions() throws IOException {
        TreeSet<Long> versions = new TreeSet<>();
        Path rootPath = new Path(root);
        FileSystem fs = rootPath.getFileSystem();
        if (!fs.exists(rootPath)) {
            return versions;
        }
        FileStatus[] entries = list(fs, rootPath);
        for (FileStatus entry : entries) {
            String name = entry.getPath().getName();
            if (entry.isDir() && name.matches("step-\\d+")) {
                versions.add(Long.parseLong(name.substring(5)));
            }
        }
        return versions;
    }

    /**
     * The root's entries. A listing can fail with {@link FileNotFoundException} when an entry is
     * deleted while it is listed (Flink's local file system stats every entry it lists): the
     * learner's retention deleted a version meanwhile, so the listing is simply taken again.
     */
    private static FileStatus[] list(FileSystem fs, Path rootPath) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                FileStatus[] entries = fs.listStatus(rootPath);
                return entries == null ? new FileStatus[0] : entries;
            } catch (FileNotFoundException deletedWhileListed) {
                if (!fs.exists(rootPath)) {
                    return new FileStatus[0];
                }
                if (attempt == LISTING_ATTEMPTS) {
                    throw new IOException(
                            "the policy store " + rootPath + " kept changing while it was listed (" + LISTING_ATTEMPTS
                                    + " attempts)",
                            deletedWhileListed);
                }
            }
        }
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
        NavigableSet<Long> versions = versions();
        // Newest first, and only as far as the first visible one: a poll costs one listing and a
        // few reads, however many versions the store holds.
        for (Long version : versions.descendingSet()) {
            if (!isVisible(version)) {
                continue; // being written (its manifest comes last) or being deleted (its manifest goes first)
            }
            PolicyManifest manifest;
            try {
                manifest = manifest(version);
            } catch (PolicyVersionGoneException deletedMeanwhile) {
                continue;
            }
            if (fence.isEmpty() || fence.get().admits(manifest)) {
                return Optional.of(manifest);
            }
        }
        return Optional.empty();
    }

    /**
     * The manifest of a visible version.
     *
     * @throws PolicyVersionGoneException when the version was deleted before or while it was read
     */
    public PolicyManifest manifest(long version) throws IOException {
        Path path = new Path(new Path(root, folder(version)), MANIFEST);
        try {
            return Json.mapper().readValue(FlinkFiles.read(path), PolicyManifest.class);
        } catch (IOException e) {
            throw goneOr(version, e);
        }
    }

    /**
     * Loads and verifies a visible version. On a local file system its weights are then read tensor
     * by tensor, memory-mapped, as a model is built from them; elsewhere they are read into Java arrays.
     *
     * @throws PolicyVersionGoneException when the version was deleted before or while it was read
     */
    public Checkpoint load(long version) throws IOException {
        PolicyManifest manifest = manifest(version);
        Path path = new Path(new Path(root, folder(version)), manifest.file());
        try {
            return CheckpointFormat.load(path, manifest.sha256(), "policy version " + version + "'s manifest");
        } catch (IOException e) {
            throw goneOr(version, e);
        }
    }

    /** What is done with a loaded version's weights while they may still be read from its file. */
    @FunctionalInterface
    public interface WeightsUse<T> {
        T apply(Checkpoint checkpoint) throws IOException;
    }

    /**
     * Loads a visible version and hands it to {@code use}, which reads its weights ({@link #load}
     * reads them lazily from the version's file on a local file system).
     *
     * @throws PolicyVersionGoneException when the version was deleted before or while it was read,
     *     also while {@code use} read its weights
     */
    public <T> T read(long version, WeightsUse<T> use) throws IOException {
        Checkpoint checkpoint = load(version);
        try {
            return use.apply(checkpoint);
        } catch (UncheckedIOException e) {
            throw goneOr(version, e.getCause());
        } catch (IOException e) {
            throw goneOr(version, e);
        }
    }

    /**
     * A read of {@code version} failed: a {@link PolicyVersionGoneException} when the version has
     * lost its manifest (deleted, manifest first), else the failure itself.
     */
    private IOException goneOr(long version, IOException failure) throws IOException {
        if (failure instanceof PolicyVersionGoneException || !isVisible(version)) {
            return failure instanceof PolicyVersionGoneException
                    ? failure
                    : new PolicyVersionGoneException(version, failure);
        }
        return failure;
    }
}
