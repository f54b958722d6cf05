package io.rollstream.types;

/**
 * Exactly {@code batch_size} rollouts in whole groups, for learner step {@code step} (0-based:
 * step n trains batch n and produces policy version n + 1).
 */
public record TrainBatch(long step, TrainGroup[] groups, BatchStats stats) {

    public int rollouts() {
        int n = 0;
        for (TrainGroup g : groups) {
            n += g.group().rollouts().length;
        }
        return n;
    }
}
