package io.rollstream.tasks;

import java.io.Serializable;

/**
 * A generator of verifiable problems, configured by a seed and a difficulty.
 *
 * <p>Invariants: {@link #problem(long)} is a pure function of (seed, difficulty, index) for every index
 * {@code >= 0}, independent of call order or thread; every prompt and answer uses only characters of
 * {@link #alphabet()} and fits in {@link #maxPromptChars()} / {@link #maxAnswerChars()}; scores of
 * {@link #verifier()} lie in [0,1]. Tasks are immutable and serializable.
 */
public interface Task extends Serializable {

    /** Task name, as accepted by {@link Tasks#create(String, long, int)}. */
    String name();

    /**
     * Problem number {@code index}.
     *
     * @throws IllegalArgumentException if {@code index < 0}
     */
    Problem problem(long index);

    /** The verifier that scores completions of this task's problems. */
    Verifier verifier();

    /** Every character that any prompt or answer of this task can contain (used to build the char tokenizer). */
    String alphabet();

    /** Longest prompt, in characters, for this difficulty (used to size models). */
    int maxPromptChars();

    /** Longest answer, in characters, for this difficulty (used to size models). */
    int maxAnswerChars();
}
