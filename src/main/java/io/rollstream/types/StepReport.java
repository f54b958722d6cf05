package io.rollstream.types;

/**
 * One line of {@code metrics.jsonl}: the learner's report of a step (phase "rl"), a warm-start
 * step (phase "sft") or an evaluation.
 *
 * @param phase "sft" or "rl"
 * @param step the step number within its phase
 * @param json the complete JSON object of the line (keys in the order they are written)
 */
public record StepReport(String phase, long step, String json) {}
