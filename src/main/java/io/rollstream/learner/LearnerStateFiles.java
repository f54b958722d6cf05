package io.rollstream.learner;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.common.FlinkFiles;
import io.rollstream.common.Json;
import java.io.IOException;
import java.io.Serializable;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Learner states too large for Flink state: one immutable checkpoint file ({@link CheckpointFormat},
 * streamed tensor by tensor, so of any size) per checkpoint on any Flink file system, referenced
 * from the learner's operator state by path and checksum (so state stays small and a torn or
 * swapped file is refused on restore). Files are named after the job and the
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

    /**
     * Streams the state of checkpoint {@code checkpointId} of {@code jobId} to its file, tensor by
     * tensor (temporary name, then rename).
     */
    public Reference write(String jobId, long checkpointId, boolean savepoint, Checkpoint state) throws IOException {
        Path target = new Path(dir, (savepoint ? "savepoint-" : "chk-") + jobId + "-" + checkpointId + SUFFIX);
        FileSystem fs = target.getFileSystem();
        fs.mkdirs(new Path(dir));
        String checksum = FlinkFiles.writeAtomically(target, out -> CheckpointFormat.write(state, out));
        return new Reference(
                target.toString(), checksum, fs.getFileStatus(target).getLen());
    }

    /** The referenced state, checked against its checksum (read tensor by tensor from a local file). */
    public static Checkpoint read(Reference reference) throws IOException {
        Path path = new Path(reference.path());
        try {
            return CheckpointFormat.load(path, reference.sha256(), "its Flink checkpoint");
        } catch (IOException e) {
            throw new IOException(
                    "learner state: " + e.getMessage() + ": restore from another checkpoint or savepoint", e);
        }
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
