package io.rollstream.source;

import io.rollstream.tasks.Problem;

/**
 * A problem with the place it was read from, so that a refusal after parsing (validation, a
 * duplicate id) can name it.
 *
 * @param problem the problem
 * @param origin {@code file:line} for a JSONL record, {@code task NAME, problem I} for a built-in task
 */
public record SourcedProblem(Problem problem, String origin) {}
