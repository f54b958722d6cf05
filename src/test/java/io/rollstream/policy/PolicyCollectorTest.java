package io.rollstream.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Version garbage collection against the pins of checkpoints and savepoints. */
class PolicyCollectorTest {

    /** Keep the newest 2; groups at most one step stale train. */
    private static final VersionRetention RETENTION = new VersionRetention(2, 1, 0, 1000, 0, false);

    @TempDir
    Path dir;

    private PolicyStore store() throws Exception {
        PolicyStore store = new PolicyStore(dir.toString());
        store.publish(PolicyStoreTest.version(0), "launcher");
        return store;
    }

    /** Publishes versions {@code from..to} as the learner does. */
    private static void train(PolicyStore store, PolicyCollector collector, long from, long to) throws Exception {
        for (long v = from; v <= to; v++) {
            store.publish(PolicyStoreTest.version(v), "a");
            collector.published(v);
        }
    }

    /** A fresh job's collector that trained versions 1..5 and completed checkpoint 1 at step 5: its pins. */
    private static PolicyCollector.Pins checkpointedAtFive(PolicyStore store, PolicyCollector collector)
            throws Exception {
        collector.start(PolicyCollector.Pins.NONE, 0);
        train(store, collector, 1, 5);
        PolicyCollector.Pins atFive = collector.snapshot(1, 5, false);
        collector.completed(1);
        return atFive;
    }

    @Test
    void withoutCheckpointsOnlyVersionZeroAndTheNewestStay() throws Exception {
        PolicyStore store = store();
        PolicyCollector collector = new PolicyCollector(store, RETENTION, 1, "job");
        collector.start(PolicyCollector.Pins.NONE, 0);
        train(store, collector, 1, 10);
        assertThat(store.versions()).containsExactly(0L, 9L, 10L);
        assertThat(new RunSignals(store).latest())
                .get()
                .extracting(PolicyManifest::version)
                .isEqualTo(10L);
    }

    @Test
    void aCheckpointPinsItsVersionsUntilANewerOneCompletesAndASavepointForever() throws Exception {
        PolicyStore store = store();
        PolicyCollector collector = new PolicyCollector(store, RETENTION, 1, "job");
        collector.start(PolicyCollector.Pins.NONE, 0);
        train(store, collector, 1, 3);
        PolicyCollector.Pins inSavepoint = collector.snapshot(1, 3, true);
        assertThat(inSavepoint.checkpoints())
                .as("a snapshot carries its own step")
                .containsExactly(3L);
        collector.completed(1);
        train(store, collector, 4, 5);
        collector.snapshot(2, 5, false);
        train(store, collector, 6, 8); // pinned while in progress
        assertThat(store.versions()).containsExactly(0L, 2L, 3L, 4L, 5L, 7L, 8L);
        collector.completed(2);
        collector.snapshot(3, 8, false);
        collector.completed(3); // subsumes checkpoint 2
        train(store, collector, 9, 12);
        assertThat(store.versions()).containsExactly(0L, 2L, 3L, 7L, 8L, 11L, 12L);
        assertThat(collector.pins()).containsExactly(3L, 8L);
    }

    @Test
    void anAbortedCheckpointUnpins() throws Exception {
        PolicyStore store = store();
        PolicyCollector collector = new PolicyCollector(store, RETENTION, 1, "job");
        collector.start(PolicyCollector.Pins.NONE, 0);
        train(store, collector, 1, 4);
        collector.snapshot(1, 4, false);
        collector.aborted(1);
        train(store, collector, 5, 8);
        assertThat(store.versions()).containsExactly(0L, 7L, 8L);
    }

    @Test
    void aResumedJobKeepsThePinsOfThePointItCameFromAndDropsTheAbandonedHistory() throws Exception {
        PolicyStore store = store();
        PolicyCollector first = new PolicyCollector(store, RETENTION, 1, "job-1");
        PolicyCollector.Pins atFive = checkpointedAtFive(store, first);
        train(store, first, 6, 9); // the abandoned history after the retained checkpoint

        // job-2 restores job-1's checkpoint at step 5: its learner fences, republishes 5, then starts.
        new RunSignals(store).fence("b", 5);
        store.publish(PolicyStoreTest.version(5), "b");
        PolicyCollector second = new PolicyCollector(store, RETENTION, 1, "job-2");
        second.start(atFive, 5);
        assertThat(store.versions())
                .as("versions 6..9 of the fenced attempt are deleted")
                .containsExactly(0L, 4L, 5L);
        // job-1's retained checkpoint stays on disk: its pin survives job-2's own checkpoints.
        second.snapshot(7, 20, false);
        second.completed(7);
        for (long v = 6; v <= 25; v++) {
            store.publish(PolicyStoreTest.version(v), "b");
            second.published(v);
        }
        assertThat(store.versions()).containsExactly(0L, 4L, 5L, 19L, 20L, 24L, 25L);
    }

    @Test
    void aFailoverRestoreSubsumesTheRestoredCheckpointLikeAnyOther() throws Exception {
        PolicyStore store = store();
        PolicyCollector.Pins atFive = checkpointedAtFive(store, new PolicyCollector(store, RETENTION, 1, "job"));

        PolicyCollector after = new PolicyCollector(store, RETENTION, 1, "job");
        after.start(atFive, 5);
        assertThat(after.pins()).containsExactly(5L);
        train(store, after, 6, 10);
        after.snapshot(2, 10, false);
        after.completed(2);
        assertThat(after.pins()).containsExactly(10L);
        assertThat(store.versions()).containsExactly(0L, 9L, 10L);
    }

    @Test
    void theBestEvaluatedVersionSurvivesUntilABetterOneAndARestore() throws Exception {
        PolicyStore store = store();
        // Keep the newest 2 and the newest evaluated one (evaluations every 2 steps) and the best.
        VersionRetention retention = new VersionRetention(2, 1, 2, 1000, 1, true);
        PolicyCollector collector = new PolicyCollector(store, retention, 1, "job");
        collector.start(PolicyCollector.Pins.NONE, 0);
        double[] accuracy = {0, 0, 0.5, 0, 0.3, 0, 0.4, 0, 0.7, 0, 0.6};
        for (long v = 1; v <= 10; v++) {
            store.publish(PolicyStoreTest.version(v), "a");
            collector.published(v);
            if (v % 2 == 0) {
                collector.evaluated(v, accuracy[(int) v]);
            }
            if (v == 6) {
                assertThat(store.versions())
                        .as("the best (2) outlives later, worse evaluations")
                        .containsExactly(0L, 2L, 5L, 6L);
            }
        }
        assertThat(collector.best()).isEqualTo(new PolicyCollector.Evaluation(8, 0.7));
        assertThat(store.versions()).containsExactly(0L, 8L, 9L, 10L);

        // The best travels in the checkpoint: a restored collector keeps it too.
        PolicyCollector.Pins atTen = collector.snapshot(1, 10, false);
        PolicyCollector restored = new PolicyCollector(store, retention, 1, "job");
        restored.start(atTen, 10);
        train(store, restored, 11, 20);
        assertThat(store.versions()).containsExactly(0L, 8L, 9L, 10L, 19L, 20L);
    }

    @Test
    void keepLastZeroDeletesNothing() throws Exception {
        PolicyStore store = store();
        PolicyCollector collector = new PolicyCollector(store, VersionRetention.KEEP_ALL, 1, "job");
        collector.start(PolicyCollector.Pins.NONE, 0);
        train(store, collector, 1, 6);
        assertThat(store.versions()).hasSize(7);
        assertThat(List.copyOf(store.versions())).startsWith(0L, 1L);
    }
}
