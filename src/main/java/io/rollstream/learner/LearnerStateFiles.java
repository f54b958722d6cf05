package io.rollstream.learner;

import io.rollstream.common.FlinkFiles;
import io.rollstream.common.Json;

import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.io.Serializable;

/**
 * Learner states too large for Flink state: one immutable file per checkpoint on any Flink file
 * system, referenced from the learner's operator state by path and SHA-256 (so state stays small
 * and a torn or swapped file is refused on restore). Files are named after the job and the
 * checkpoint; a completed checkpoint subsumes the job's earlier checkpoint files, which are then
 * deleted. Savepoint files are never deleted here: a savepoint may be restored at any time.
 */
public final class LearnerStateFiles implements Serializable {

    private static final String SUFFIX = ".rsckpt";

    /** What the operator state holds instead of the bytes. */
    public record Reference(String path, String sha256, long bytes) {}

    private final String dir;

    public LearnerStateFiles(String dir) {
        this.dir = dir;
    }

    /** Writes the state of checkpoint {@code checkpointId} of {@code jobId} (temporary name, then rename). */
    public Reference write(String jobId, long checkpointId, boolean savepoint, byte[] bytes) throws IOException {
        Path target = new Path(dir, (savepoint ? "savepoint-" : "chk-") + jobId + "-" + checkpointId + SUFFIX);
        target.getFileSystem().mkdirs(new Path(dir));
        FlinkFiles.writeAtomically(target, bytes);
        return new Reference(target.toString(), FlinkFiles.sha256(bytes), bytes.length);
    }

    /** The referenced state, checked against its checksum. */
    public static byte[] read(Reference reference) throws IOException {
        Path path = new Path(reference.path());
        byte[] bytes = FlinkFiles.read(path);
        if (bytes.length != reference.bytes() || !FlinkFiles.sha256(bytes).equals(reference.sha256())) {
            throw new IOException("learner state " + path + " does not match the checksum its checkpoint recorded:"
                    + " restore from another checkpoint or savepoint");
        }
        return bytes;
    }

    /** Deletes the checkpoint files of {@code jobId} older than {@code completedCheckpointId}. */
    public void deleteSubsumed(String jobId, long completedCheckpointId) throws IOException {
        Path root = new Path(dir);
        FileSystem fs = root.getFileSystem();
        if (!fs.exists(root)) {
            return;
        }
        String prefix = "chk-" + jobId + "-";
        for (FileStatus f : fs.listStatus(root)) {
            String name = f.getPath().getName();
            if (name.startsWith(prefix) && name.endsWith(SUFFIX)) {
                long id = Long.parseLong(name.substring(prefix.length(), name.length() - SUFFIX.length()));
                if (id < completedCheckpointId) {
                    fs.delete(f.getPath(), false);
                }
            }
        }
    }

    static String encode(Reference reference) throws IOException {
        return Json.mapper().writeValueAsString(reference);
    }

    static Reference decode(String json) throws IOException {
        return Json.mapper().readValue(json, Reference.class);
    }
}
