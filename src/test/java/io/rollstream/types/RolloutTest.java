package io.rollstream.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A rollout's typed finish reason, and the string form of state written before it. */
class RolloutTest {

    private static Rollout typed(FinishReason finish, String scoringError) {
        return new Rollout(new int[] {4, 2}, new float[] {-1f, -2f}, "4", 1.0, finish, scoringError, null);
    }

    private static Rollout stringForm(String finishReason) {
        return Rollout.ofStringForm(new int[] {4, 2}, new float[] {-1f, -2f}, "4", 1.0, finishReason, null);
    }

    @Test
    @SuppressWarnings("deprecation") // finishReason(): checked to be null
    void theStringFormOfOldStateIsReadIntoTheTypedReasonAndTheError() {
        assertThat(stringForm("stop")).usingRecursiveComparison().isEqualTo(typed(FinishReason.STOP, null));
        assertThat(stringForm("length")).usingRecursiveComparison().isEqualTo(typed(FinishReason.LENGTH, null));
        Rollout failed = stringForm("scoring_failed: NumberFormatException: For input string: \"x\"");
        assertThat(failed.finish()).isEqualTo(FinishReason.SCORING_FAILED);
        assertThat(failed.scoringError()).isEqualTo("NumberFormatException: For input string: \"x\"");
        assertThat(failed.finishReason()).as("never kept once read").isNull();
        assertThat(failed.scoringFailed()).isTrue();
    }

    @Test
    void rolloutsJsonlGetsTheSameTextAsTheStringFormHad() {
        for (String text : new String[] {"stop", "length", "scoring_failed: IllegalStateException: a: b"}) {
            assertThat(stringForm(text).finishText()).isEqualTo(text);
        }
        assertThat(typed(FinishReason.SCORING_FAILED, "IllegalStateException: broke")
                        .finishText())
                .isEqualTo("scoring_failed: IllegalStateException: broke");
        assertThat(typed(FinishReason.LENGTH, null).truncated()).isTrue();
        assertThat(typed(FinishReason.STOP, null).truncated()).isFalse();
    }

    @Test
    void anUnknownOrMalformedStringIsRefusedNamingIt() {
        assertThatThrownBy(() -> stringForm("eos"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'eos'");
        assertThatThrownBy(() -> stringForm("stop: early"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'stop: early'");
    }

    @Test
    void aScoringErrorComesExactlyWithScoringFailed() {
        assertThatThrownBy(() -> typed(FinishReason.SCORING_FAILED, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scoring_failed");
        assertThatThrownBy(() -> typed(FinishReason.STOP, "oops")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> typed(null, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("finish reason");
        assertThatThrownBy(() ->
                        new Rollout(new int[] {2}, new float[] {0f}, "", 0, FinishReason.STOP, null, null, "stop"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not both");
    }
}
