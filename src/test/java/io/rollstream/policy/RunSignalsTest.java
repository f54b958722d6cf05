package io.rollstream.policy;

import static io.rollstream.policy.PolicyStoreTest.version;
import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.checkpoint.Checkpoint;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run's control signals at the root of its policy store: finished, stopping, and the fence. */
class RunSignalsTest {

    @TempDir
    Path dir;

    @Test
    void theFinishedMarkerCanBeSetAndCleared() throws Exception {
        PolicyStore store = new PolicyStore(dir.toString());
        RunSignals signals = new RunSignals(store);
        assertThat(signals.isFinished()).isFalse();
        signals.markFinished(10, "a");
        assertThat(signals.isFinished()).isTrue();
        signals.clearFinished();
        assertThat(signals.isFinished()).isFalse();
    }

    @Test
    void aFenceHidesNewerVersionsOfOtherAttemptsUntilRepublished() throws Exception {
        PolicyStore store = new PolicyStore(dir.toString());
        RunSignals signals = new RunSignals(store);
        for (long v = 0; v <= 3; v++) {
            store.publish(version(v), "failed");
        }
        signals.markFinished(3, "failed");
        // The restored learner (attempt "next") is at step 1: versions 2 and 3 belong to the lost history.
        signals.fence("next", 1);
        assertThat(signals.latest()).get().extracting(PolicyManifest::version).isEqualTo(1L);
        assertThat(signals.latestFor("next"))
                .get()
                .extracting(PolicyManifest::version)
                .isEqualTo(1L);
        assertThat(signals.latestFor("failed"))
                .as("generators of another attempt wait")
                .isEmpty();
        assertThat(signals.isFinished())
                .as("a superseded attempt's finished marker")
                .isFalse();
        Checkpoint version = version(2);
        Map<String, float[]> changed = version.weights().toMap();
        changed.get("wte")[0] = 42f;
        store.publish(new Checkpoint(2, version.model(), version.tokenizer(), changed, null, Map.of()), "next");
        assertThat(signals.latestFor("next")).get().satisfies(m -> {
            assertThat(m.version()).isEqualTo(2L);
            assertThat(m.attempt()).isEqualTo("next");
        });
        assertThat(store.load(2).weights().floats("wte")[0]).isEqualTo(42f);
        signals.markFinished(2, "next");
        assertThat(signals.isFinished()).isTrue();
    }

    @Test
    void withoutAFenceGeneratorsOfAnyAttemptSeeTheNewestVersion() throws Exception {
        PolicyStore store = new PolicyStore(dir.toString());
        RunSignals signals = new RunSignals(store);
        store.publish(version(0), "launcher");
        assertThat(signals.latestFor("job-0"))
                .get()
                .extracting(PolicyManifest::version)
                .isEqualTo(0L);
    }

    @Test
    void aStopRequestIsSeenUntilWithdrawn() throws Exception {
        RunSignals signals = new RunSignals(new PolicyStore(dir.toString()));
        assertThat(signals.isStopRequested()).isFalse();
        signals.requestStop();
        assertThat(signals.isStopRequested()).isTrue();
        signals.clearStopRequest();
        assertThat(signals.isStopRequested()).isFalse();
    }
}
