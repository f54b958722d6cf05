package io.rollstream.tasks;

import java.util.SplittableRandom;

/**
 * Reverse a string of lowercase letters.
 *
 * <p>Problem {@code i}: from {@link ProblemSeeds#random(long, long)} draw the length uniformly in
 * {@code [max(1, difficulty - 2), difficulty]}, then each letter uniformly in {@code a-z}. Varying the length a
 * little keeps the model from learning a fixed position mapping. Prompt {@code "abcd="}, answer {@code "dcba"};
 * scored by {@link ExactMatchVerifier}.
 *
 * @param seed seed of the problem stream
 * @param difficulty maximum string length, in [{@value #MIN_DIFFICULTY}, {@value #MAX_DIFFICULTY}]
 */
public record ReverseTask(long seed, int difficulty) implements Task {

    public static final String NAME = "reverse";
    public static final int MIN_DIFFICULTY = 1;
    public static final int MAX_DIFFICULTY = 100;

    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz";

    public ReverseTask {
        ProblemSeeds.checkDifficulty(NAME, difficulty, MIN_DIFFICULTY, MAX_DIFFICULTY);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Problem problem(long index) {
        ProblemSeeds.checkIndex(NAME, index);
        SplittableRandom random = ProblemSeeds.random(seed, index);
        int length = random.nextInt(minLength(), difficulty + 1);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(LETTERS.charAt(random.nextInt(LETTERS.length())));
        }
        String prompt = text + "=";
        String answer = text.reverse().toString();
        return new Problem(ProblemSeeds.problemId(NAME, difficulty, seed, index), NAME, prompt, answer);
    }

    /** Shortest string length this difficulty generates: {@code max(1, difficulty - 2)}. */
    public int minLength() {
        return Math.max(1, difficulty - 2);
    }

    @Override
    public Verifier verifier() {
        return new ExactMatchVerifier();
    }

    @Override
    public String alphabet() {
        return LETTERS + "=";
    }

    @Override
    public int maxPromptChars() {
        return difficulty + 1;
    }

    @Override
    public int maxAnswerChars() {
        return difficulty;
    }
}
