package io.rollstream.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.tasks.Problem;
import io.rollstream.types.InvalidRecord;
import java.util.List;
import java.util.Queue;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The duplicate-id check in Flink's keyed harness: claims, re-reads, refusals, and claims that survive a restore. */
@SuppressWarnings("try")
class RefuseDuplicateIdsTest {

    private static KeyedOneInputStreamOperatorTestHarness<String, SourcedProblem, SourcedProblem> harness()
            throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new RefuseDuplicateIds()),
                (KeySelector<SourcedProblem, String>) read -> read.problem().id(),
                Types.STRING);
        harness.setup();
        return harness;
    }

    private static SourcedProblem read(String id, String prompt, String answer, String origin) {
        return new SourcedProblem(new Problem(id, "jsonl", prompt, answer), origin);
    }

    private static List<String> refused(KeyedOneInputStreamOperatorTestHarness<String, ?, ?> harness) {
        Queue<StreamRecord<InvalidRecord>> side = harness.getSideOutput(JsonlProblems.INVALID);
        return side == null
                ? List.of()
                : side.stream()
                        .map(r -> r.getValue().source() + " " + r.getValue().reason())
                        .toList();
    }

    @Test
    void theFirstRecordClaimsItsIdAndOnlyTheSameContentComesBack() throws Exception {
        try (var harness = harness()) {
            harness.open();
            harness.processElement(read("q1", "1+1=", "2", "f:1"), 0);
            harness.processElement(read("q2", "2+2=", "4", "f:2"), 0);
            harness.processElement(read("q1", "1+1=", "3", "f:3"), 0); // another answer
            harness.processElement(read("q1", "1+1=", "2", "f:1"), 0); // the next epoch
            harness.processElement(new SourcedProblem(new Problem("q2", "arithmetic", "2+2=", "4"), "f:4"), 0);

            assertThat(harness.extractOutputValues())
                    .extracting(SourcedProblem::origin)
                    .containsExactly("f:1", "f:2", "f:1");
            assertThat(refused(harness))
                    .containsExactly(
                            "f:3 " + RefuseDuplicateIds.reason("q1", new RefuseDuplicateIds.FirstRead("f:1", 0)),
                            "f:4 duplicate_id: id 'q2' was first read at f:2 with a different prompt, answer or task; give every"
                                    + " problem its own id (or none, to derive it from the prompt)");
        }
    }

    @Test
    void claimsSurviveASnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness()) {
            harness.open();
            harness.processElement(read("q1", "1+1=", "2", "f:1"), 0);
            snapshot = harness.snapshot(1, 1);
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement(read("q1", "1+1=", "2", "f:1"), 0);
            restored.processElement(read("q1", "9+9=", "18", "g:7"), 0);

            assertThat(restored.extractOutputValues())
                    .extracting(SourcedProblem::origin)
                    .containsExactly("f:1");
            assertThat(refused(restored))
                    .singleElement()
                    .asString()
                    .startsWith("g:7 duplicate_id: id 'q1' was first read at f:1 ");
        }
    }

    @Test
    void fingerprintsSeparateTheFieldsAndTheStateIsAPojo() {
        assertThat(RefuseDuplicateIds.fingerprint(new Problem("i", "t", "ab", "c")))
                .isNotEqualTo(RefuseDuplicateIds.fingerprint(new Problem("i", "t", "a", "bc")))
                .isEqualTo(RefuseDuplicateIds.fingerprint(new Problem("other id", "t", "ab", "c")));
        assertThat(TypeInformation.of(RefuseDuplicateIds.FirstRead.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(SourcedProblem.class)).isInstanceOf(PojoTypeInfo.class);
        String longId = "x".repeat(300);
        assertThat(RefuseDuplicateIds.reason(longId, new RefuseDuplicateIds.FirstRead("f:1", 0)))
                .contains("'" + "x".repeat(100) + "…'");
    }
}
