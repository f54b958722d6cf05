package io.rollstream.policy;

import io.rollstream.common.FlinkFiles;
import io.rollstream.common.Json;
import java.io.IOException;
import java.io.Serializable;
import java.util.Optional;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The run's control signals, small files at the root of its policy store (any Flink file system),
 * through which the launcher, the learner and the generators of separate tasks and processes
 * coordinate. The {@link PolicyStore} itself only keeps versions.
 *
 * <ul>
 *   <li>{@code FENCE.json} (docs/invariants.md invariant 7): after a restore the learner calls {@link #fence}
 *       with its attempt and restored step before publishing anything. From then on a version newer
 *       than that step is visible only if the fencing attempt wrote it, so versions that a failed
 *       attempt published after the restored checkpoint are never used; older versions are part of
 *       the restored history and stay visible. Generators of an attempt wait for that attempt's
 *       fence ({@link #latestFor}).
 *   <li>{@code FINISHED}: the learner reached its last step; generators stop admitting and the
 *       launcher stops the job. A marker of an attempt that a fence has since superseded does not
 *       count (the restored learner has steps to redo).
 *   <li>{@code STOPPING}: a stop with a savepoint is under way; the problem source pauses and the
 *       generators queue everything that reaches them without waiting for the admission gate, so the
 *       savepoint barrier passes at once.
 * </ul>
 */
public final class RunSignals implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final String FINISHED = "FINISHED";
    private static final String FENCE = "FENCE.json";
    private static final String STOPPING = "STOPPING";

    private final PolicyStore store;

    /** The signals of the run whose versions {@code store} keeps (they live at its root). */
    public RunSignals(PolicyStore store) {
        this.store = store;
    }

    private Path file(String name) {
        return new Path(store.root(), name);
    }

    /**
     * Fences off every version newer than {@code restoredStep} not written by {@code attempt}.
     * Called by a learner attempt before it publishes.
     */
    public void fence(String attempt, long restoredStep) throws IOException {
        Path path = file(FENCE);
        path.getFileSystem().mkdirs(new Path(store.root()));
        FlinkFiles.writeAtomically(
                path,
                Json.mapper().writeValueAsBytes(new PolicyFence(attempt, restoredStep, System.currentTimeMillis())));
    }

    /** The current fence, if a learner has written one. */
    public Optional<PolicyFence> fence() throws IOException {
        Path path = file(FENCE);
        if (!path.getFileSystem().exists(path)) {
            return Optional.empty();
        }
        return Optional.of(Json.mapper().readValue(FlinkFiles.read(path), PolicyFence.class));
    }

    /**
     * The newest version a generator of {@code attempt} may use: while another attempt's fence is in
     * place, nothing (the learner of this attempt has not fenced the store yet); otherwise
     * {@link #latest()}. A store never fenced (the first start of a run) holds only what the
     * launcher published, which every attempt may use.
     */
    public Optional<PolicyManifest> latestFor(String attempt) throws IOException {
        Optional<PolicyFence> fence = fence();
        if (fence.isPresent() && !fence.get().attempt().equals(attempt)) {
            return Optional.empty();
        }
        return store.latest(fence);
    }

    /** The newest visible version under the current fence (if any). */
    public Optional<PolicyManifest> latest() throws IOException {
        return store.latest(fence());
    }

    /** Marks the run as finished by {@code attempt} (its learner reached its last step). */
    public void markFinished(long steps, String attempt) throws IOException {
        FlinkFiles.writeAtomically(file(FINISHED), Json.mapper().writeValueAsBytes(new Finished(steps, attempt)));
    }

    /**
     * Whether the learner has marked the run finished. A marker left by an attempt that a fence
     * has since superseded does not count: the restored learner has steps to redo.
     */
    public boolean isFinished() throws IOException {
        Path path = file(FINISHED);
        if (!path.getFileSystem().exists(path)) {
            return false;
        }
        Finished finished = Json.mapper().readValue(FlinkFiles.read(path), Finished.class);
        Optional<PolicyFence> fence = fence();
        return fence.isEmpty() || fence.get().attempt().equals(finished.attempt());
    }

    /** Content of the finished marker. */
    record Finished(long steps, String attempt) {}

    /** Removes the finished marker (a resumed run continues training). */
    public void clearFinished() throws IOException {
        delete(FINISHED);
    }

    /** The finished marker as it is, if there is one (to put back with {@link #restoreFinished}). */
    public Optional<byte[]> finishedMarker() throws IOException {
        Path path = file(FINISHED);
        return path.getFileSystem().exists(path) ? Optional.of(FlinkFiles.read(path)) : Optional.empty();
    }

    /** Puts back a finished marker taken by {@link #finishedMarker} (a resume that did not start). */
    public void restoreFinished(byte[] marker) throws IOException {
        FlinkFiles.writeAtomically(file(FINISHED), marker);
    }

    /** Says that a stop with a savepoint is under way: the source pauses, generators queue without waiting. */
    public void requestStop() throws IOException {
        FlinkFiles.writeAtomically(file(STOPPING), new byte[0]);
    }

    /** Whether a stop is under way. */
    public boolean isStopRequested() throws IOException {
        Path path = file(STOPPING);
        return path.getFileSystem().exists(path);
    }

    /** Withdraws a stop request (a job starts, or the stopped job has ended). */
    public void clearStopRequest() throws IOException {
        delete(STOPPING);
    }

    private void delete(String name) throws IOException {
        Path path = file(name);
        FileSystem fs = path.getFileSystem();
        fs.delete(path, false);
    }
}
