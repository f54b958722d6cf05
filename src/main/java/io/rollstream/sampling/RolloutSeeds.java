package io.rollstream.sampling;

import java.nio.charset.StandardCharsets;

/**
 * Stable 64-bit seeds derived from identities, so that a rollout's randomness is a pure function
 * of (run seed, problem, admission, rollout index, policy version) and a replay after a restore
 * draws the same tokens.
 */
public final class RolloutSeeds {

    private RolloutSeeds() {}

    /** The seed of one rollout. */
    public static long of(long runSeed, String problemId, long admission, int rolloutIndex, long policyVersion) {
        return mix(runSeed, hash(problemId), admission, rolloutIndex, policyVersion);
    }

    /** Order-sensitive mix of several values (SplitMix64 finaliser after each). */
    public static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long part : parts) {
            h = splitMix(h ^ splitMix(part));
        }
        return h;
    }

    /** FNV-1a over the UTF-8 bytes, finalised: stable across JVMs (unlike String.hashCode mixing). */
    public static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return splitMix(h);
    }

    private static long splitMix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
