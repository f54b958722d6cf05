package io.rollstream.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.LongStream;

class VersionRetentionTest {

    private static List<Long> kept(VersionRetention r, long newest, List<Long> pins) {
        return LongStream.rangeClosed(0, newest).filter(v -> r.keeps(v, newest, pins)).boxed().toList();
    }

    @Test
    void keepsVersionZeroTheNewestAndThePinnedWindows() {
        VersionRetention r = new VersionRetention(2, 1, 0, 100);
        assertThat(kept(r, 20, List.of())).containsExactly(0L, 19L, 20L);
        // A checkpoint at step 10: its pending groups may be of versions 9 and 10 and still train.
        assertThat(kept(r, 20, List.of(10L, 15L))).containsExactly(0L, 9L, 10L, 14L, 15L, 19L, 20L);
    }

    @Test
    void theNewestWindowCoversTheStalenessBoundWhateverKeepLastSays() {
        VersionRetention r = new VersionRetention(1, 3, 0, 100);
        assertThat(kept(r, 10, List.of())).containsExactly(0L, 7L, 8L, 9L, 10L);
    }

    @Test
    void evaluatedVersionsAndTheLastStepAreKeptWhenAsked() {
        VersionRetention r = new VersionRetention(1, 0, 4, 10);
        assertThat(kept(r, 10, List.of())).containsExactly(0L, 4L, 8L, 10L);
    }

    @Test
    void keepLastZeroKeepsEverything() {
        assertThat(kept(VersionRetention.KEEP_ALL, 5, List.of())).hasSize(6);
    }
}
