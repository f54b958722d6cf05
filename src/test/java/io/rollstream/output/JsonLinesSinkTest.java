package io.rollstream.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON-lines sink's exactly-once contract: a restored writer continues from the checkpointed length. */
class JsonLinesSinkTest {

    @TempDir
    Path dir;

    @Test
    void aRestoredWriterDropsWhatWasWrittenAfterItsCheckpoint() throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        JsonLinesSink<String> sink = new JsonLinesSink<>(file.toString(), s -> s);
        long checkpointed;
        try (StatefulSinkWriter<String, Long> writer = sink.restoreWriter(null, List.of())) {
            writer.write("{\"step\":0}", null);
            checkpointed = writer.snapshotState(1).get(0);
            writer.write("{\"step\":1}", null); // after the checkpoint: the failed attempt's history
        }
        assertThat(Files.readAllLines(file)).hasSize(2);
        try (StatefulSinkWriter<String, Long> writer = sink.restoreWriter(null, List.of(checkpointed))) {
            writer.write("{\"step\":1,\"again\":true}", null);
        }
        assertThat(Files.readAllLines(file)).containsExactly("{\"step\":0}", "{\"step\":1,\"again\":true}");
        JsonLinesSink.LengthSerializer serializer = new JsonLinesSink.LengthSerializer();
        assertThat(serializer.deserialize(1, serializer.serialize(checkpointed)))
                .isEqualTo(checkpointed);
    }

    @Test
    void aFileShorterThanItsCheckpointIsRefused() throws Exception {
        Path file = dir.resolve("rollouts.jsonl");
        Files.writeString(file, "{}\n");
        JsonLinesSink<String> sink = new JsonLinesSink<>(file.toString(), s -> s);
        assertThatThrownBy(() -> sink.restoreWriter(null, List.of(100L))).hasMessageContaining("shortened");
    }
}
