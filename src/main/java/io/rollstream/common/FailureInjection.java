package io.rollstream.common;

import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * Test-only failure injection for restore tests and the end-to-end script: the system property
 * {@code rollstream.inject-failure=STAGE@STEP} (STAGE {@code rollout} or {@code learner}) makes
 * that stage throw once it reaches learner step STEP — the learner before training batch STEP, a
 * generator when it first sees a policy version ≥ STEP — in the job's first attempt only, so the
 * restarted attempt runs through. Unset (always in production), it does nothing.
 */
public final class FailureInjection {

    /** The system property read. */
    public static final String PROPERTY = "rollstream.inject-failure";

    private FailureInjection() {}

    /** Throws when the property targets {@code stage} at or before {@code step} and this is attempt 0. */
    public static void maybeFail(String stage, long step, RuntimeContext context) {
        String spec = System.getProperty(PROPERTY);
        if (spec == null || spec.isBlank() || context.getTaskInfo().getAttemptNumber() > 0) {
            return;
        }
        String[] parts = spec.trim().split("@");
        if (parts.length != 2) {
            throw new IllegalArgumentException(PROPERTY + " must look like STAGE@STEP, e.g. learner@3; got " + spec);
        }
        if (parts[0].equals(stage) && step >= Long.parseLong(parts[1])) {
            throw new InjectedFailure(
                    stage + " failed on purpose at step " + step + " (" + PROPERTY + "=" + spec + ")");
        }
    }

    /** The exception thrown, so logs and tests can tell it from a real failure. */
    public static final class InjectedFailure extends RuntimeException {
        InjectedFailure(String message) {
            super(message);
        }
    }
}
