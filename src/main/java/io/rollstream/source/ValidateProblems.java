package io.rollstream.source;

import io.rollstream.tasks.Problem;
import io.rollstream.types.InvalidRecord;
import java.util.Optional;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Passes valid problems on; refused ones go to {@link #INVALID} with where they were read and the
 * reason. A validator that throws on a record refuses that record with the exception's message: one
 * record never fails the job.
 */
public final class ValidateProblems extends ProcessFunction<SourcedProblem, Problem> {

    public static final OutputTag<InvalidRecord> INVALID = new OutputTag<>("invalid-records") {};

    private final ProblemValidator validator;

    public ValidateProblems(ProblemValidator validator) {
        this.validator = validator;
    }

    @Override
    public void processElement(SourcedProblem read, Context ctx, Collector<Problem> out) {
        Problem problem = read.problem();
        Optional<String> refused;
        try {
            refused = validator.problemWith(problem);
        } catch (RuntimeException | StackOverflowError e) {
            refused = Optional.of("validation failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        refused.ifPresentOrElse(
                reason -> ctx.output(
                        INVALID,
                        InvalidRecord.of(read.origin(), problem.prompt(), "problem " + problem.id() + ": " + reason)),
                () -> out.collect(problem));
    }
}
