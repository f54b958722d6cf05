package io.rollstream.source;

import io.rollstream.tasks.Problem;
import io.rollstream.types.InvalidRecord;
import java.util.Locale;

/**
 * What {@link ProblemParser} made of one line: a problem, a refused record with its reason, or
 * nothing at all for a blank line (blank lines separate records in many JSONL files and are not an
 * error, so they are neither emitted nor counted as invalid).
 */
public sealed interface ParseResult {

    /** The result for a blank line. */
    ParseResult BLANK = new Blank();

    /** A line that holds a problem. */
    record Valid(Problem problem) implements ParseResult {}

    /** A line that was refused; the record names where it came from and why. */
    record Invalid(InvalidRecord record) implements ParseResult {}

    /** A blank (empty or whitespace-only) line. */
    record Blank() implements ParseResult {}

    /** The refusal of a line longer than a record may be (its text holds only the line's beginning). */
    static ParseResult tooLong(SourceLine line) {
        return new Invalid(InvalidRecord.of(
                line.origin(),
                line.text(),
                String.format(
                        Locale.ROOT,
                        "the line has %,d bytes, more than the %,d a record may have",
                        line.bytes(),
                        BoundedLineFormat.MAX_LINE_BYTES)));
    }
}
