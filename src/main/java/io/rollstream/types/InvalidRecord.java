package io.rollstream.types;

/**
 * An input record that was refused, for {@code invalid-records.jsonl}.
 *
 * @param source where it came from (file and line, or the task generator)
 * @param record the record as read (truncated when very long)
 * @param reason why it was refused, naming the field
 */
public record InvalidRecord(String source, String record, String reason) {

    /** Longest record text kept. */
    public static final int MAX_RECORD_CHARS = 2000;

    public static InvalidRecord of(String source, String record, String reason) {
        String kept = record == null ? "" : record;
        if (kept.length() > MAX_RECORD_CHARS) {
            kept = kept.substring(0, MAX_RECORD_CHARS) + "…(" + record.length() + " chars)";
        }
        return new InvalidRecord(source, kept, reason);
    }
}
