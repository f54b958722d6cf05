package io.rollstream.policy;

/**
 * Written by a learner attempt before it publishes: versions above {@code step} count only when
 * {@code attempt} wrote them (see {@link PolicyStore}).
 *
 * @param attempt the fencing learner attempt
 * @param step the step (= policy version) the attempt restored
 * @param createdMillis wall clock when fenced
 */
public record PolicyFence(String attempt, long step, long createdMillis) {

    /** Whether readers under this fence may use {@code manifest}. */
    public boolean admits(PolicyManifest manifest) {
        return manifest.version() <= step || manifest.attempt().equals(attempt);
    }
}
