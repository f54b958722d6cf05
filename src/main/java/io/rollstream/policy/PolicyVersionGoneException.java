package io.rollstream.policy;

import java.io.FileNotFoundException;

/**
 * A policy version that the learner deleted ({@link PolicyCollector}, once no generator and no
 * retained checkpoint needs it) while a reader was listing, reading its manifest or loading its
 * weights. Readers skip such a version; it never fails a job.
 */
public final class PolicyVersionGoneException extends FileNotFoundException {

    private static final long serialVersionUID = 1L;

    private final long version;

    public PolicyVersionGoneException(long version, Throwable cause) {
        super("policy version " + version + " was deleted while it was being read"
                + (cause != null ? " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")" : ""));
        this.version = version;
        initCause(cause);
    }

    /** The version that is gone. */
    public long version() {
        return version;
    }
}
