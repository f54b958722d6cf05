package io.rollstream.source;

import io.rollstream.tasks.Problem;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Parses JSONL lines with {@link ProblemParser}: problems go on, refused lines go to
 * {@link JsonlProblems#INVALID} with file, line and reason (and are counted in the
 * {@code invalidRecords} metric), blank lines are dropped.
 */
final class ParseProblems extends ProcessFunction<SourceLine, Problem> {

    private final ProblemParser parser;
    private transient Counter invalid;

    ParseProblems(ProblemParser parser) {
        this.parser = parser;
    }

    @Override
    public void open(OpenContext context) {
        invalid = getRuntimeContext().getMetricGroup().counter("invalidRecords");
    }

    @Override
    public void processElement(SourceLine line, Context ctx, Collector<Problem> out) {
        ParseResult result = parser.parse(line.text(), line.origin());
        if (result instanceof ParseResult.Valid valid) {
            out.collect(valid.problem());
        } else if (result instanceof ParseResult.Invalid refused) {
            invalid.inc();
            ctx.output(JsonlProblems.INVALID, refused.record());
        }
    }
}
