package io.rollstream.types;

/**
 * How many problems one generator subtask holds in each difficulty pool. Problems never admitted
 * are in no pool.
 */
public record PoolCounts(long easy, long normal, long hard) {

    public static final PoolCounts EMPTY = new PoolCounts(0, 0, 0);

    public PoolCounts plus(PoolCounts other) {
        return new PoolCounts(easy + other.easy, normal + other.normal, hard + other.hard);
    }
}
