package io.rollstream.tasks;

import java.util.SplittableRandom;

/**
 * Derives the per-problem random source and id from (seed, index), so problem {@code i} never depends on which
 * other problems were generated before it.
 *
 * <p>Mix: {@code mix64(seed ^ mix64(index + GOLDEN_GAMMA))}, where {@code mix64} is the SplitMix64 finalizer
 * (Stafford variant 13) and {@code GOLDEN_GAMMA = 0x9E3779B97F4A7C15}. The inner mix spreads consecutive indices
 * over all 64 bits before the seed is folded in, so nearby (seed, index) pairs yield unrelated streams. The
 * result seeds a {@link SplittableRandom}. This formula is part of the tasks' reproducibility contract: changing
 * it changes every generated problem.
 */
final class ProblemSeeds {

    static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private ProblemSeeds() {}

    /** The random source of problem {@code index} under {@code seed}. */
    static SplittableRandom random(long seed, long index) {
        return new SplittableRandom(mix64(seed ^ mix64(index + GOLDEN_GAMMA)));
    }

    /**
     * Id of a problem: {@code variant/d<difficulty>/s<seed>/<index>}, unique per (variant, difficulty, seed,
     * index).
     */
    static String problemId(String variant, int difficulty, long seed, long index) {
        return variant + "/d" + difficulty + "/s" + seed + "/" + index;
    }

    /** Rejects negative indices with a message naming the task. */
    static void checkIndex(String task, long index) {
        if (index < 0) {
            throw new IllegalArgumentException("Problem index must be >= 0 for task " + task + ", got " + index);
        }
    }

    /** Rejects a difficulty outside {@code [min, max]} with a message naming the allowed range. */
    static void checkDifficulty(String task, int difficulty, int min, int max) {
        if (difficulty < min || difficulty > max) {
            throw new IllegalArgumentException(
                    "Difficulty of task " + task + " must be in [" + min + ", " + max + "], got " + difficulty);
        }
    }

    /** SplitMix64 finalizer: a bijective 64-bit mix with full avalanche. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
