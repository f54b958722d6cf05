package io.rollstream.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class VersionRetentionTest {

    private static List<Long> kept(VersionRetention r, long newest, List<Long> pins) {
        return kept(r, newest, pins, VersionRetention.NO_BEST);
    }

    private static List<Long> kept(VersionRetention r, long newest, List<Long> pins, long best) {
        return LongStream.rangeClosed(0, newest)
                .filter(v -> r.keeps(v, newest, pins, best))
                .boxed()
                .toList();
    }

    @Test
    void keepsVersionZeroTheNewestAndThePinnedWindows() {
        VersionRetention r = new VersionRetention(2, 1, 0, 100, 0, false);
        assertThat(kept(r, 20, List.of())).containsExactly(0L, 19L, 20L);
        // A checkpoint at step 10: its pending groups may be of versions 9 and 10 and still train.
        assertThat(kept(r, 20, List.of(10L, 15L))).containsExactly(0L, 9L, 10L, 14L, 15L, 19L, 20L);
    }

    @Test
    void theNewestWindowCoversTheStalenessBoundWhateverKeepLastSays() {
        VersionRetention r = new VersionRetention(1, 3, 0, 100, 0, false);
        assertThat(kept(r, 10, List.of())).containsExactly(0L, 7L, 8L, 9L, 10L);
    }

    @Test
    void theNewestEvaluatedVersionsAreKeptAndTheLastStepCountsAsEvaluated() {
        VersionRetention everyFour = new VersionRetention(1, 0, 4, 10, 2, false);
        assertThat(kept(everyFour, 7, List.of())).containsExactly(0L, 4L, 7L);
        assertThat(kept(everyFour, 9, List.of())).containsExactly(0L, 4L, 8L, 9L);
        assertThat(kept(everyFour, 10, List.of()))
                .as("10, the last step, is evaluated")
                .containsExactly(0L, 8L, 10L);
        assertThat(kept(new VersionRetention(1, 0, 4, 10, 0, false), 10, List.of()))
                .containsExactly(0L, 10L);
    }

    @Test
    void theBestEvaluatedVersionIsKeptWhenAsked() {
        assertThat(kept(new VersionRetention(1, 0, 4, 100, 1, true), 30, List.of(), 8))
                .containsExactly(0L, 8L, 28L, 30L);
        assertThat(kept(new VersionRetention(1, 0, 4, 100, 1, false), 30, List.of(), 8))
                .containsExactly(0L, 28L, 30L);
    }

    /** The default retention of a long run: the store stays small however many steps it trains. */
    @Test
    void theDefaultsBoundTheStore() {
        VersionRetention quickstart = new VersionRetention(8, 2, 50, 100_000, 3, true);
        long newest = 100_000;
        List<Long> pins = List.of(99_990L, 42_000L); // the retained checkpoint and one savepoint
        List<Long> kept = kept(quickstart, newest, pins, 12_350);
        // version 0, the best, 3 versions per pin, the newest 3 evaluated (100000 is also among the newest 8)
        assertThat(kept)
                .containsExactly(
                        0L, 12_350L, 41_998L, 41_999L, 42_000L, 99_900L, 99_950L, 99_988L, 99_989L, 99_990L, 99_993L,
                        99_994L, 99_995L, 99_996L, 99_997L, 99_998L, 99_999L, 100_000L);
        assertThat(kept).hasSizeLessThanOrEqualTo(1 + 8 + 3 + 1 + pins.size() * 3);
    }

    @Test
    void keepLastZeroKeepsEverything() {
        assertThat(kept(VersionRetention.KEEP_ALL, 5, List.of())).hasSize(6);
    }
}
