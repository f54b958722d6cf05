package io.rollstream.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.types.InvalidRecord;
import io.rollstream.types.StepReport;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoProcessOperator;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Step reports get the number of invalid records so far, and the count survives a restore. */
@SuppressWarnings("try")
class InvalidRecordCountTest {

    private static TwoInputStreamOperatorTestHarness<StepReport, InvalidRecord, StepReport> harness() throws Exception {
        return new TwoInputStreamOperatorTestHarness<>(new CoProcessOperator<>(new InvalidRecordCount()));
    }

    private static StepReport report(long step) {
        return new StepReport("rl", step, "{\"phase\":\"rl\",\"step\":" + step + ",\"loss\":0.5}");
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
            assertThat(harness.extractOutputValues()).extracting(StepReport::json).containsExactly(
                    "{\"phase\":\"rl\",\"step\":0,\"loss\":0.5,\"invalid_records\":0}",
                    "{\"phase\":\"rl\",\"step\":1,\"loss\":0.5,\"invalid_records\":2}");
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement2(InvalidRecord.of("f:3", "z", "bad"), 0);
            restored.processElement1(report(2), 0);
            assertThat(restored.extractOutputValues()).singleElement().extracting(StepReport::json)
                    .isEqualTo("{\"phase\":\"rl\",\"step\":2,\"loss\":0.5,\"invalid_records\":3}");
        }
    }
}
