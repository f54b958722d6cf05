package io.rollstream.source;

import io.rollstream.sampling.RolloutSeeds;
import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * The order in which a finite set of {@code size} items is read over epochs: position j of the
 * stream is item {@code perm_e(j mod size)} of epoch {@code e = j / size}, where {@code perm_e} is
 * a Fisher–Yates shuffle seeded by (seed, e) — or the identity when shuffling is off. A pure
 * function of (seed, j), so a restored source continues with exactly the items it would have read.
 */
public final class EpochOrder implements Serializable {

    private final int size;
    private final long seed;
    private final boolean shuffle;
    private transient long cachedEpoch;
    private transient int[] permutation;

    public EpochOrder(int size, long seed, boolean shuffle) {
        if (size < 1) {
            throw new IllegalArgumentException("an epoch needs at least one item, got " + size);
        }
        this.size = size;
        this.seed = seed;
        this.shuffle = shuffle;
    }

    /** Items read per epoch. */
    public int size() {
        return size;
    }

    /** Index of the item at stream position {@code position}. */
    public int itemAt(long position) {
        long epoch = position / size;
        int offset = (int) (position % size);
        if (!shuffle) {
            return offset;
        }
        if (permutation == null || epoch != cachedEpoch) { // transient fields are reset by deserialization
            permutation = permutation(epoch);
            cachedEpoch = epoch;
        }
        return permutation[offset];
    }

    private int[] permutation(long epoch) {
        int[] p = new int[size];
        for (int i = 0; i < size; i++) {
            p[i] = i;
        }
        SplittableRandom random = new SplittableRandom(RolloutSeeds.mix(seed, epoch));
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
