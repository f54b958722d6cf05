package io.rollstream.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.LegacyCheckpoints;
import io.rollstream.common.FlinkFiles;
import io.rollstream.common.Json;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.ParameterLayout;
import io.rollstream.tokenizer.TokenizerSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyStoreTest {

    private static final ModelConfig MODEL = new ModelConfig(6, 1, 1, 4, 4, 8, ModelConfig.Positions.LEARNED);

    @TempDir
    Path dir;

    /** A tiny checkpoint whose weights are all {@code v}. */
    static Checkpoint version(long v) {
        Map<String, float[]> weights = new LinkedHashMap<>();
        ParameterLayout.shapes(MODEL).forEach((name, shape) -> {
            float[] w = new float[(int) shape.size()];
            Arrays.fill(w, v);
            weights.put(name, w);
        });
        return new Checkpoint(v, MODEL, TokenizerSpec.chars("abc"), weights, null, Map.of());
    }

    @Test
    void theNewestVersionWithAManifestIsVisible() throws Exception {
        PolicyStore store = new PolicyStore(dir.toString());
        assertThat(new RunSignals(store).latest()).isEmpty();
        store.publish(version(0), "a");
        store.publish(version(2), "a");
        // A version whose manifest was never written (a crash mid-publish) stays invisible.
        Files.createDirectories(dir.resolve(PolicyStore.folder(3)));
        Files.write(dir.resolve(PolicyStore.folder(3)).resolve("policy.rsckpt"), new byte[] {1, 2});
        assertThat(new RunSignals(store).latest())
                .get()
                .extracting(PolicyManifest::version)
                .isEqualTo(2L);
        assertThat(store.load(2).weights().floats("wte")[0]).isEqualTo(2f);
        assertThat(store.load(2).optimizer()).isNull();
    }

    /** A store written before checkpoint format 3 (one RSCK byte array per version, its whole SHA-256 in the manifest) still loads. */
    @Test
    void aVersionOfTheFormatBeforeSafetensorsStillLoads() throws Exception {
        PolicyStore store = new PolicyStore(dir.toString());
        byte[] legacy = LegacyCheckpoints.version2(version(3));
        Path folder = Files.createDirectories(dir.resolve(PolicyStore.folder(3)));
        Files.write(folder.resolve("policy-old.rsckpt"), legacy);
        PolicyManifest manifest =
                new PolicyManifest(3, "policy-old.rsckpt", FlinkFiles.sha256(legacy), legacy.length, "old", 0, 0);
        Files.write(folder.resolve("MANIFEST.json"), Json.mapper().writeValueAsBytes(manifest));
        assertThat(store.load(3).weights().floats("wte")).containsOnly(3f);
        Files.write(
                folder.resolve("MANIFEST.json"),
                Json.mapper()
                        .writeValueAsBytes(new PolicyManifest(
                                3, "policy-old.rsckpt", FlinkFiles.sha256(new byte[1]), legacy.length, "old", 0, 0)));
        assertThatThrownBy(() -> store.load(3)).hasMessageContaining("does not match the checksum");
    }

    @Test
    void aWeightsFileThatDoesNotMatchItsManifestIsRefused() throws Exception {
        PolicyStore store = new PolicyStore(dir.toString());
        store.publish(version(1), "a");
        Path weights =
                dir.resolve(PolicyStore.folder(1)).resolve(store.manifest(1).file());
        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length / 2] ^= 1;
        Files.write(weights, bytes);
        assertThatThrownBy(() -> store.load(1)).hasMessageContaining("checksum");
    }

    @Test
    void aDeletedVersionIsGoneAndARepublishedOneKeepsTheFileAReaderMayStillBeLoading() throws Exception {
        PolicyStore store = new PolicyStore(dir.toString());
        for (long v = 0; v <= 2; v++) {
            store.publish(version(v), "failed");
        }
        store.delete(2);
        assertThat(store.versions()).containsExactly(0L, 1L);
        assertThat(store.isVisible(2)).isFalse();
        assertThat(new RunSignals(store).latest())
                .get()
                .extracting(PolicyManifest::version)
                .isEqualTo(1L);
        new RunSignals(store).fence("next", 0);
        store.publish(version(1), "next");
        try (var files = Files.list(dir.resolve(PolicyStore.folder(1)))) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder(
                            "MANIFEST.json", PolicyStore.weightsFile("failed"), PolicyStore.weightsFile("next"));
        }
        assertThat(store.load(1).weights().floats("wte")[0]).isEqualTo(1f);
    }

    /**
     * The race a quickstart hit three times (FileNotFoundException on policy/step-000761): a
     * generator polls the store — listing it, reading a manifest, loading the weights — while the
     * learner publishes new versions and its retention deletes old ones. A version that disappears
     * between the listing and the read is skipped, never an exception.
     */
    @Test
    void readersNeverFailWhileRetentionDeletesVersions() throws Exception {
        PolicyStore store = new PolicyStore(dir.toString());
        RunSignals signals = new RunSignals(store);
        store.publish(version(0), "a");
        int versions = 400;
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong reads = new AtomicLong();
        AtomicLong gone = new AtomicLong();
        Runnable reader = () -> {
            long newestSeen = 0;
            try {
                while (!done.get()) {
                    Optional<PolicyManifest> latest = signals.latestFor("a");
                    assertThat(latest)
                            .as("version 0 is never deleted, so some version is always visible")
                            .isPresent();
                    newestSeen = Math.max(newestSeen, latest.get().version());
                    // Load an older version too: the one retention deletes next (never one not yet
                    // published: reading version 1 while only 0 was out raced its publication).
                    for (long v : new long[] {
                        latest.get().version(), Math.max(0, latest.get().version() - 2)
                    }) {
                        try {
                            assertThat(store.read(v, c -> c.weights().floats("wte"))[0])
                                    .isEqualTo((float) v);
                        } catch (PolicyVersionGoneException deleted) {
                            assertThat(deleted.version()).isEqualTo(v);
                            gone.incrementAndGet();
                        }
                    }
                    reads.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        Thread[] readers = {new Thread(reader), new Thread(reader)};
        for (Thread t : readers) {
            t.start();
        }
        try {
            // The learner: publish version v, then delete what a keep-last-2 retention no longer keeps.
            for (long v = 1; v <= versions && failure.get() == null; v++) {
                store.publish(version(v), "a");
                if (v > 2) {
                    store.delete(v - 2);
                }
            }
        } finally {
            done.set(true);
            for (Thread t : readers) {
                t.join();
            }
        }
        assertThat(failure.get()).as("a reader failed").isNull();
        assertThat(reads.get())
                .as("the readers ran concurrently with the deletions")
                .isGreaterThan(10);
        assertThat(store.versions()).containsExactly(0L, (long) versions - 1, (long) versions);
    }
}
