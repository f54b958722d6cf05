package io.rollstream.batch;

import io.rollstream.types.PoolCounts;
import java.util.TreeMap;

/** The latest difficulty-pool counts reported by each generator subtask, and their sum. */
final class GeneratorPools {

    private final TreeMap<Integer, PoolCounts> latest = new TreeMap<>(); // subtask → latest counts

    GeneratorPools(int[] subtasks, PoolCounts[] pools) {
        for (int i = 0; i < subtasks.length; i++) {
            latest.put(subtasks[i], pools[i]);
        }
    }

    /** Records a subtask's report; a null report (none attached) is ignored. */
    void report(int subtask, PoolCounts pools) {
        if (pools != null) {
            latest.put(subtask, pools);
        }
    }

    PoolCounts total() {
        PoolCounts sum = PoolCounts.EMPTY;
        for (PoolCounts p : latest.values()) {
            sum = sum.plus(p);
        }
        return sum;
    }

    int[] subtasks() {
        return latest.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    PoolCounts[] counts() {
        return latest.values().toArray(new PoolCounts[0]);
    }
}
