package io.rollstream.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.model.ModelConfig;
import io.rollstream.model.ParameterLayout;
import io.rollstream.tokenizer.TokenizerSpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

class PolicyStoreTest {

    private static final ModelConfig MODEL = new ModelConfig(6, 1, 1, 4, 4, 8, ModelConfig.Positions.LEARNED);

    @TempDir
    Path dir;

    /** A tiny checkpoint whose weights are all {@code v}. */
    static Checkpoint version(long v) {
        Map<String, float[]> weights = new LinkedHashMap<>();
        ParameterLayout.shapes(MODEL).forEach((name, shape) -> {
            float[] w = new float[(int) shape.size()];
            java.util.Arrays.fill(w, v);
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
        assertThat(new RunSignals(store).latest()).get().extracting(PolicyManifest::version).isEqualTo(2L);
        assertThat(store.load(2).weights().get("wte")[0]).isEqualTo(2f);
        assertThat(store.load(2).optimizer()).isNull();
    }

    @Test
    void aWeightsFileThatDoesNotMatchItsManifestIsRefused() throws Exception {
        PolicyStore store = new PolicyStore(dir.toString());
        store.publish(version(1), "a");
        Path weights = dir.resolve(PolicyStore.folder(1)).resolve(store.manifest(1).file());
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
        assertThat(new RunSignals(store).latest()).get().extracting(PolicyManifest::version).isEqualTo(1L);
        new RunSignals(store).fence("next", 0);
        store.publish(version(1), "next");
        try (var files = Files.list(dir.resolve(PolicyStore.folder(1)))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("MANIFEST.json",
                    PolicyStore.weightsFile("failed"), PolicyStore.weightsFile("next"));
        }
        assertThat(store.load(1).weights().get("wte")[0]).isEqualTo(1f);
    }
}
