package io.rollstream.source;

import io.rollstream.tasks.Problem;
import io.rollstream.types.InvalidRecord;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Passes valid problems on; refused ones go to {@link #INVALID} with the reason. */
public final class ValidateProblems extends ProcessFunction<Problem, Problem> {

    public static final OutputTag<InvalidRecord> INVALID = new OutputTag<>("invalid-records") {};

    private final ProblemValidator validator;

    public ValidateProblems(ProblemValidator validator) {
        this.validator = validator;
    }

    @Override
    public void processElement(Problem problem, Context ctx, Collector<Problem> out) {
        validator.problemWith(problem).ifPresentOrElse(
                reason -> ctx.output(INVALID, InvalidRecord.of(problem.task(), problem.prompt(),
                        "problem " + problem.id() + ": " + reason)),
                () -> out.collect(problem));
    }
}
