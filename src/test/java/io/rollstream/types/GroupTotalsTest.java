package io.rollstream.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GroupTotalsTest {

    /** The array layout is the components' order, and reads back to the same totals. */
    @Test
    void theArrayIsTheComponentsInOrderAndReadsBack() {
        GroupTotals t = new GroupTotals(1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(t.toArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(GroupTotals.of(t.toArray())).isEqualTo(t);
        assertThat(GroupTotals.NONE.toArray()).hasSize(GroupTotals.COUNTS);
    }

    @Test
    void anArrayOfAnotherLengthIsRefused() {
        assertThatThrownBy(() -> GroupTotals.of(new long[8]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("9 counts, got 8");
    }
}
