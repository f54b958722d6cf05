package io.rollstream.source;

import java.io.Serializable;

/**
 * Where and how to read JSONL problems.
 *
 * @param path a file or a directory (read recursively; names starting with '.' or '_' are skipped)
 *     on any Flink file system, e.g. {@code /data/train.jsonl} or {@code s3://bucket/problems/}
 * @param watch keep watching the path for new files (an unbounded source) instead of reading it
 *     {@code epochs} times
 * @param epochs passes over the data, at least 1; must be 1 when watching
 * @param fields JSON keys to read; null means {@link FieldMapping#defaults()}
 * @param defaultTask task name of records without a task field
 */
public record JsonlSpec(String path, boolean watch, int epochs, FieldMapping fields, String defaultTask)
        implements Serializable {

    public JsonlSpec {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("data.path must name a JSONL file or directory");
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("data.epochs must be at least 1, got " + epochs);
        }
        if (watch && epochs != 1) {
            throw new IllegalArgumentException("data.watch is true, so data.epochs must be 1 (a watched directory"
                    + " has no end to start the next epoch from), got " + epochs);
        }
        if (fields == null) {
            fields = FieldMapping.defaults();
        }
        if (defaultTask == null || defaultTask.isBlank()) {
            throw new IllegalArgumentException("the default task of JSONL problems must not be blank");
        }
    }

    /** Reads {@code path} once, with the default field keys. */
    public static JsonlSpec once(String path, String defaultTask) {
        return new JsonlSpec(path, false, 1, FieldMapping.defaults(), defaultTask);
    }
}
