package io.rollstream.batch;

import io.rollstream.types.TrainGroup;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Groups that passed the filters and wait for a batch, in arrival order. Selection for a batch is
 * oldest first (earliest deadline: lowest policy version), ties broken by arrival (earliest first).
 */
final class WaitingGroups {

    private final List<TrainGroup> groups = new ArrayList<>(); // arrival order

    WaitingGroups(TrainGroup[] restored) {
        groups.addAll(List.of(restored));
    }

    void add(TrainGroup group) {
        groups.add(group);
    }

    int size() {
        return groups.size();
    }

    /** Removes and returns (in arrival order) the groups with {@code step − version > maxStaleness}. */
    List<TrainGroup> removeStale(long step, long maxStaleness) {
        List<TrainGroup> stale = new ArrayList<>();
        groups.removeIf(g -> {
            boolean isStale = step - g.group().policyVersion() > maxStaleness;
            if (isStale) {
                stale.add(g);
            }
            return isStale;
        });
        return stale;
    }

    /**
     * Removes the {@code count} oldest groups (count ≤ size) and returns them oldest first; the
     * rest keep their arrival order.
     */
    TrainGroup[] takeOldest(int count) {
        List<Integer> order = new ArrayList<>(groups.size());
        for (int i = 0; i < groups.size(); i++) {
            order.add(i);
        }
        // stable sort: equal versions stay in arrival order
        order.sort(Comparator.comparingLong((Integer i) -> groups.get(i).group().policyVersion()));
        TrainGroup[] taken = new TrainGroup[count];
        boolean[] isTaken = new boolean[groups.size()];
        for (int k = 0; k < count; k++) {
            taken[k] = groups.get(order.get(k));
            isTaken[order.get(k)] = true;
        }
        List<TrainGroup> rest = new ArrayList<>(groups.size() - count);
        for (int i = 0; i < groups.size(); i++) {
            if (!isTaken[i]) {
                rest.add(groups.get(i));
            }
        }
        groups.clear();
        groups.addAll(rest);
        return taken;
    }

    /** Removes and returns every group, in arrival order. */
    List<TrainGroup> drain() {
        List<TrainGroup> all = new ArrayList<>(groups);
        groups.clear();
        return all;
    }

    TrainGroup[] toArray() {
        return groups.toArray(new TrainGroup[0]);
    }
}
