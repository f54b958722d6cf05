package io.rollstream.tasks;

import java.util.Objects;

/**
 * One prompt with its reference answer.
 *
 * <p>For built-in tasks {@code id} is unique per (task variant, difficulty, seed, index), so it can key caches and
 * logs; {@code task} is the task name. All fields are non-null; the prompt is non-empty.
 *
 * @param id unique identifier of the problem
 * @param task name of the task that produced it
 * @param prompt text the model continues
 * @param answer reference answer the verifier compares completions against
 */
public record Problem(String id, String task, String prompt, String answer) {

    public Problem {
        Objects.requireNonNull(id, "problem id must not be null");
        Objects.requireNonNull(task, "problem task must not be null");
        Objects.requireNonNull(prompt, "problem prompt must not be null");
        Objects.requireNonNull(answer, "problem answer must not be null");
        if (prompt.isEmpty()) {
            throw new IllegalArgumentException("problem " + id + " has an empty prompt");
        }
    }
}
