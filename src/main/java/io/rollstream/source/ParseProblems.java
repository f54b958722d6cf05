package io.rollstream.source;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Parses JSONL lines with {@link ProblemParser}: problems go on with their file and line, refused
 * lines (and lines longer than {@link BoundedLineFormat#MAX_LINE_BYTES}) go to
 * {@link JsonlProblems#INVALID} with file, line and reason (and are counted in the
 * {@code invalidRecords} metric), blank lines are dropped.
 */
final class ParseProblems extends ProcessFunction<SourceLine, SourcedProblem> {

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
    public void processElement(SourceLine line, Context ctx, Collector<SourcedProblem> out) {
        ParseResult result = line.tooLong() ? ParseResult.tooLong(line) : parser.parse(line.text(), line.origin());
        if (result instanceof ParseResult.Valid valid) {
            out.collect(new SourcedProblem(valid.problem(), line.origin()));
        } else if (result instanceof ParseResult.Invalid refused) {
            invalid.inc();
            ctx.output(JsonlProblems.INVALID, refused.record());
        }
    }
}
