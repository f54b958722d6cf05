package io.rollstream.job;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.checkpoint.TaskStateStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;

/**
 * Watches a MiniCluster job's periodic checkpoints through the checkpoint statistics the REST API
 * shows ({@code /jobs/:id/checkpoints}): how long each took, and for one that does not complete,
 * which tasks have not acknowledged it.
 */
final class CheckpointWatch {

    /** A completed checkpoint: its id and its end-to-end duration. */
    record Completed(long id, long millis) {}

    private final MiniCluster cluster;
    private final JobID job;

    CheckpointWatch(MiniCluster cluster, JobID job) {
        this.cluster = cluster;
        this.job = job;
    }

    /**
     * Waits until {@code count} checkpoints triggered from now on have completed (a failed one does
     * not count) and returns them.
     *
     * @throws AssertionError when that takes longer than {@code timeoutMillis}, naming the tasks
     *     that have not acknowledged the oldest checkpoint still in progress
     */
    List<Completed> nextCompleted(int count, long timeoutMillis) throws Exception {
        long from = System.currentTimeMillis();
        long deadline = from + timeoutMillis;
        while (true) {
            AccessExecutionGraph graph = cluster.getExecutionGraph(job).get();
            if (graph.getState().isGloballyTerminalState()) {
                throw new AssertionError("the job ended (" + graph.getState() + ") while checkpoints were awaited"
                        + (graph.getFailureInfo() == null
                                ? ""
                                : ": " + graph.getFailureInfo().getExceptionAsString()));
            }
            List<Completed> completed = new ArrayList<>();
            AbstractCheckpointStats oldestPending = null;
            for (AbstractCheckpointStats c :
                    graph.getCheckpointStatsSnapshot().getHistory().getCheckpoints()) {
                if (c.getTriggerTimestamp() < from || c.getProperties().isSavepoint()) {
                    continue;
                }
                if (c.getStatus() == CheckpointStatsStatus.COMPLETED) {
                    completed.add(new Completed(c.getCheckpointId(), c.getEndToEndDuration()));
                } else if (c.getStatus() == CheckpointStatsStatus.IN_PROGRESS
                        && (oldestPending == null || c.getCheckpointId() < oldestPending.getCheckpointId())) {
                    oldestPending = c;
                }
            }
            if (completed.size() >= count) {
                completed.sort((a, b) -> Long.compare(a.id(), b.id()));
                return completed.subList(0, count);
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("only " + completed.size() + " of " + count + " checkpoints triggered in the"
                        + " last " + timeoutMillis + " ms completed"
                        + (oldestPending == null
                                ? ""
                                : "; checkpoint " + oldestPending.getCheckpointId() + " (pending for "
                                        + (System.currentTimeMillis() - oldestPending.getTriggerTimestamp())
                                        + " ms) is not acknowledged by " + unacknowledged(graph, oldestPending)));
            }
            Thread.sleep(50);
        }
    }

    private static String unacknowledged(AccessExecutionGraph graph, AbstractCheckpointStats pending) {
        return pending.getAllTaskStateStats().stream()
                .filter(t -> t.getNumberOfAcknowledgedSubtasks() < t.getNumberOfSubtasks())
                .map(t -> name(graph, t) + " (" + t.getNumberOfAcknowledgedSubtasks() + "/" + t.getNumberOfSubtasks()
                        + " subtasks)")
                .collect(Collectors.joining(", "));
    }

    private static String name(AccessExecutionGraph graph, TaskStateStats task) {
        return graph.getJobVertex(task.getJobVertexId()).getName();
    }
}
