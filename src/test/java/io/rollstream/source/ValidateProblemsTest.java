package io.rollstream.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.tasks.Problem;
import io.rollstream.tokenizer.TokenizerSpec;
import io.rollstream.types.InvalidRecord;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** Validation refuses with the record's file and line, and turns a validator that throws into a refusal. */
@SuppressWarnings("try")
class ValidateProblemsTest {

    @Test
    void refusalsNameWhereTheProblemWasRead() throws Exception {
        ProblemValidator validator = new ProblemValidator(TokenizerSpec.chars("0123456789+="), 12, 100);
        try (OneInputStreamOperatorTestHarness<SourcedProblem, Problem> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(new ValidateProblems(validator))) {
            harness.processElement(new SourcedProblem(new Problem("a", "jsonl", "1+1=", "2"), "file:/d/p.jsonl:1"), 0);
            harness.processElement(new SourcedProblem(new Problem("b", "jsonl", "1+x=", "2"), "file:/d/p.jsonl:2"), 0);

            assertThat(harness.extractOutputValues()).extracting(Problem::id).containsExactly("a");
            assertThat(harness.getSideOutput(ValidateProblems.INVALID))
                    .extracting(StreamRecord::getValue)
                    .extracting(InvalidRecord::source)
                    .containsExactly("file:/d/p.jsonl:2");
        }
    }

    @Test
    void aValidatorThatThrowsRefusesTheRecordInsteadOfFailingTheJob() throws Exception {
        ProblemValidator broken = new ProblemValidator(new TokenizerSpec("no-such-type", null, null, null), 12, 100);
        try (OneInputStreamOperatorTestHarness<SourcedProblem, Problem> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(new ValidateProblems(broken))) {
            harness.processElement(new SourcedProblem(new Problem("a", "jsonl", "1+1=", "2"), "f:3"), 0);

            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(harness.getSideOutput(ValidateProblems.INVALID))
                    .extracting(StreamRecord::getValue)
                    .singleElement()
                    .satisfies(r -> {
                        assertThat(r.source()).isEqualTo("f:3");
                        assertThat(r.reason())
                                .startsWith("problem a: validation failed: IllegalArgumentException:"
                                        + " Unknown tokenizer type 'no-such-type'");
                    });
        }
    }
}
