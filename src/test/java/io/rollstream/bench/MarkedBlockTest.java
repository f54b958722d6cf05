package io.rollstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MarkedBlockTest {

    private static final String BEGIN = "<!-- tables: begin -->";
    private static final String END = "<!-- tables: end -->";

    @Test
    void theBlockBetweenTheMarkersIsReplacedAndTheRestStays() {
        String page = "# Page\n\nProse before.\n\n" + BEGIN + "\nold table\n" + END + "\n\nProse after.\n";

        String once = MarkedBlock.replace(page, BEGIN, END, "| a | b |");
        String twice = MarkedBlock.replace(once, BEGIN, END, "| a | b |"); // a second run replaces, never appends

        assertThat(twice)
                .isEqualTo(once)
                .isEqualTo("# Page\n\nProse before.\n\n" + BEGIN + "\n| a | b |\n" + END + "\n\nProse after.\n");
    }

    @Test
    void markersMissingOrOutOfOrderAreRefused() {
        assertThatThrownBy(() -> MarkedBlock.replace("# Page\n" + END + "\n" + BEGIN + "\n", BEGIN, END, "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("in that order");
        assertThatThrownBy(() -> MarkedBlock.replace("# Page\n", BEGIN, END, "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
