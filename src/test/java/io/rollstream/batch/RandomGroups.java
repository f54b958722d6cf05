package io.rollstream.batch;

import io.rollstream.types.ScoredGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded random mixes of the {@link ScoredGroups} scenarios. */
final class RandomGroups {

    private RandomGroups() {}

    /** A random scenario for {@code problem} at {@code version}; mostly learnable. */
    static ScoredGroup group(Random random, String problem, long version) {
        return switch (random.nextInt(8)) {
            case 0 -> ScoredGroups.truncated(problem, version);
            case 1 -> ScoredGroups.solved(problem, version);
            case 2 -> ScoredGroups.failed(problem, version);
            case 3 -> ScoredGroups.tied(problem, version);
            case 4 -> ScoredGroups.of(problem, version, 1, 0, 0, 0);
            default -> ScoredGroups.learnable(problem, version);
        };
    }

    /** {@code n} random groups whose versions creep up by one every 5 groups, sometimes lagging. */
    static List<ScoredGroup> stream(Random random, int n) {
        List<ScoredGroup> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long version = Math.max(0, i / 5 - random.nextInt(3));
            out.add(group(random, "r" + i, version));
        }
        return out;
    }
}
