package io.rollstream.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class EpochOrderTest {

    private static List<Integer> epoch(EpochOrder order, int e) {
        List<Integer> items = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            items.add(order.itemAt((long) e * order.size() + i));
        }
        return items;
    }

    @Test
    void everyEpochIsAPermutationAndEpochsDiffer() {
        EpochOrder order = new EpochOrder(50, 7, true);
        List<Integer> first = epoch(order, 0);
        List<Integer> second = epoch(order, 1);
        assertThat(new HashSet<>(first)).hasSize(50);
        assertThat(new HashSet<>(second)).hasSize(50);
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void theOrderIsAPureFunctionOfSeedAndPosition() {
        EpochOrder a = new EpochOrder(20, 3, true);
        EpochOrder b = new EpochOrder(20, 3, true);
        // b is read out of order (as after a restore): same items at the same positions.
        assertThat(b.itemAt(45)).isEqualTo(a.itemAt(45));
        assertThat(epoch(b, 0)).isEqualTo(epoch(a, 0));
        assertThat(epoch(new EpochOrder(20, 4, true), 0)).isNotEqualTo(epoch(a, 0));
    }

    @Test
    void withoutShufflingItemsComeInOrder() {
        EpochOrder order = new EpochOrder(3, 1, false);
        assertThat(List.of(order.itemAt(0), order.itemAt(1), order.itemAt(2), order.itemAt(3)))
                .containsExactly(0, 1, 2, 0);
    }
}
