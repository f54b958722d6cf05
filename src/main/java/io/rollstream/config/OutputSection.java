package io.rollstream.config;

import io.rollstream.output.RolloutLogFormat;

/**
 * The {@code output} section: what the run writes besides checkpoints and metrics.
 *
 * @param rolloutsLog which rollouts to log: {@code all}, {@code sample} (every {@code sample_every}-th group) or
 *     {@code none}; default {@code all}
 * @param sampleEvery with {@code sample}, log one group in this many, at least 1; default 10
 */
public record OutputSection(RolloutLogFormat.Mode rolloutsLog, int sampleEvery) {

    /** Every key at its default. */
    public static OutputSection defaults() {
        return new OutputSection(RolloutLogFormat.Mode.ALL, 10);
    }

    public OutputSection {
        rolloutsLog = rolloutsLog == null ? RolloutLogFormat.Mode.ALL : rolloutsLog;
        ConfigErrors e = new ConfigErrors();
        e.check(sampleEvery >= 1, "output.sample_every", sampleEvery, "must be >= 1: try 10");
        e.throwIfAny();
    }
}
