package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a failure from Flink's exception history is put in one line. */
class RestartWatcherTest {

    @Test
    void theCauseIsTheDeepestCausedByLine() {
        String trace = """
                org.apache.flink.runtime.JobException: Recovery is suppressed by FixedDelayRestartBackoffTimeStrategy
                \tat org.apache.flink.runtime.executiongraph.failover.ExecutionFailureHandler.handleFailure(X.java:1)
                Caused by: java.lang.RuntimeException: wrapped
                \tat a.b.C.d(C.java:2)
                Caused by: java.io.FileNotFoundException: /run/policy/step-000761 does not exist
                \tat a.b.C.e(C.java:3)
                \t... 12 more
                """;
        assertThat(RestartWatcher.cause("org.apache.flink.runtime.JobException", trace))
                .isEqualTo("java.io.FileNotFoundException: /run/policy/step-000761 does not exist");
    }

    @Test
    void withoutACauseItIsTheFirstLineAndALongOneIsCut() {
        assertThat(RestartWatcher.cause(
                        "x.Y",
                        "io.rollstream.common.FailureInjection$InjectedFailure: learner failed"
                                + " on purpose at step 4\n\tat a.b(C.java:1)\n"))
                .isEqualTo(
                        "io.rollstream.common.FailureInjection$InjectedFailure: learner failed on purpose at step 4");
        assertThat(RestartWatcher.cause("x.Y", "")).isEqualTo("x.Y");
        assertThat(RestartWatcher.cause("x.Y", "E: " + "m".repeat(1000)))
                .hasSize(RestartWatcher.CAUSE_CHARS + 1)
                .endsWith("…");
    }
}
