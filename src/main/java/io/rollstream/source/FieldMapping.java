package io.rollstream.source;

import java.io.Serializable;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which JSON keys of a problem line hold the id, prompt, answer and task — so a data set written
 * as {@code {"question": .., "solution": ..}} is read without rewriting it. The keys are
 * non-blank and distinct; error reasons name a field by its key here.
 *
 * @param id key of the optional problem id (a string or an integer)
 * @param prompt key of the prompt text
 * @param answer key of the reference answer (a string or a number)
 * @param task key of the optional task name
 */
public record FieldMapping(String id, String prompt, String answer, String task) implements Serializable {

    public FieldMapping {
        List<String> keys = Arrays.asList(id, prompt, answer, task);
        for (String key : keys) {
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException("JSON field keys must not be blank, got " + keys);
            }
        }
        Set<String> distinct = new HashSet<>(keys);
        if (distinct.size() != keys.size()) {
            throw new IllegalArgumentException("JSON field keys must be distinct, got " + keys);
        }
    }

    /** The keys {@code id}, {@code prompt}, {@code answer}, {@code task}. */
    public static FieldMapping defaults() {
        return new FieldMapping("id", "prompt", "answer", "task");
    }
}
