package io.rollstream.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.policy.PolicyCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.junit.jupiter.api.Test;

class LearnerStateSerializerTest {

    /** Version 1's stored form of {@link #inline()} and then {@link #inFile()}, written once, never rewritten. */
    private static final Path VERSION_1 = Path.of("src/test/resources/state-formats/learner-state-v1.bin");

    private static final LearnerStateSerializer SERIALIZER = LearnerStateSerializer.INSTANCE;

    /** An inline checkpoint, pins with a best evaluation, and the per-epoch KL of a distillation. */
    static LearnerState inline() {
        EpochKl.State epochKl = new EpochKl.State(
                new TreeMap<>(Map.of(3L, new EpochKl.Partial(1.5, 12, 2))), new TreeMap<>(Map.of(1L, 0.75, 2L, 0.5)));
        return new LearnerState(
                new byte[] {82, 83, 67, 75, 0, -1},
                null,
                new PolicyCollector.Pins(
                        "job-ä", List.of(0L, 4L), List.of(6L, 7L), new PolicyCollector.Evaluation(4, 0.8125)),
                epochKl);
    }

    /** A checkpoint in a file, no evaluation yet, no per-epoch KL. */
    static LearnerState inFile() {
        return new LearnerState(
                null,
                new LearnerStateFiles.Reference("file:/runs/r/policy/learner-state/chk-j-9.rsckpt", "ab12", 1L << 33),
                new PolicyCollector.Pins("job", List.of(), List.of(9L), null),
                null);
    }

    @Test
    void bothKindsOfStateSurviveARoundTrip() throws IOException {
        for (LearnerState state : List.of(inline(), inFile())) {
            LearnerState back = SimpleVersionedSerialization.readVersionAndDeSerialize(
                    SERIALIZER, SimpleVersionedSerialization.writeVersionAndSerialize(SERIALIZER, state));
            assertThat(back).usingRecursiveComparison().isEqualTo(state);
        }
    }

    @Test
    void theStoredFormOfVersionOneNeverChanges() throws IOException {
        byte[] inline = SERIALIZER.serialize(inline());
        byte[] inFile = SERIALIZER.serialize(inFile());
        byte[] both = new byte[inline.length + inFile.length];
        System.arraycopy(inline, 0, both, 0, inline.length);
        System.arraycopy(inFile, 0, both, inline.length, inFile.length);
        assertThat(both)
                .as("a change to the stored form needs a new version (and this file keeps the old one readable)")
                .isEqualTo(Files.readAllBytes(VERSION_1));
    }

    @Test
    void anUnknownVersionIsRefusedNamingIt() {
        assertThatThrownBy(() -> SERIALIZER.deserialize(2, new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("format version 2");
    }

    @Test
    void aStateIsEitherInlineOrInAFile() {
        assertThatThrownBy(() -> new LearnerState(null, null, null, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
