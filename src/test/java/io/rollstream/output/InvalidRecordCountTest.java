package io.rollstream.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.types.InvalidRecord;
import io.rollstream.types.StepMetrics;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoProcessOperator;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Step reports get the number of invalid records so far, and the count survives a restore. */
@SuppressWarnings("try")
class InvalidRecordCountTest {

    private static TwoInputStreamOperatorTestHarness<StepMetrics, InvalidRecord, StepMetrics> harness()
            throws Exception {
        return new TwoInputStreamOperatorTestHarness<>(new CoProcessOperator<>(new InvalidRecordCount()));
    }

    private static StepMetrics report(long step) {
        return new StepMetrics(
                StepMetrics.Phase.RL,
                step,
                step + 1,
                null,
                new StepMetrics.Optimization(0.5, 1.0, 2.0),
                null,
                null,
                null,
                null,
                new StepMetrics.Updates(0.25, 1, 0, 0),
                null,
                Map.of(),
                null,
                null,
                null,
                null,
                null);
    }

    /** The line of {@link #report} with {@code invalid_records} after its own keys. */
    private static String counted(long step, long invalid) {
        return "{\"phase\":\"rl\",\"step\":" + step + ",\"policy_version\":" + (step + 1) + ",\"loss\":0.5,"
                + "\"grad_norm\":1.0,\"entropy\":2.0,\"step_time_s\":0.25,\"optimizer_steps\":1,\"skipped_non_finite\":0,"
                + "\"skipped_zero_gradient\":0,\"invalid_records\":" + invalid + "}";
    }

    @Test
    void everyReportCarriesTheCumulativeCountAfterItsOwnKeys() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness()) {
            harness.open();
            harness.processElement1(report(0), 0);
            harness.processElement2(InvalidRecord.of("f:1", "x", "bad"), 0);
            harness.processElement2(InvalidRecord.of("f:2", "y", "bad"), 0);
            harness.processElement1(report(1), 0);
            snapshot = harness.snapshot(1, 1);
            assertThat(harness.extractOutputValues())
                    .extracting(StepMetrics::toJson)
                    .containsExactly(counted(0, 0), counted(1, 2));
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement2(InvalidRecord.of("f:3", "z", "bad"), 0);
            restored.processElement1(report(2), 0);
            assertThat(restored.extractOutputValues())
                    .singleElement()
                    .extracting(StepMetrics::toJson)
                    .isEqualTo(counted(2, 3));
        }
    }
}
