package io.rollstream.tasks;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Sort decimal digits in ascending order.
 *
 * <p>Problem {@code i}: from {@link ProblemSeeds#random(long, long)} draw exactly {@code difficulty} digits, each
 * uniform in {@code 0-9} (repeats allowed). Prompt {@code "3142="}, answer {@code "1234"}; scored by
 * {@link ExactMatchVerifier}.
 *
 * @param seed seed of the problem stream
 * @param difficulty number of digits, in [{@value #MIN_DIFFICULTY}, {@value #MAX_DIFFICULTY}]
 */
public record SortTask(long seed, int difficulty) implements Task {

    public static final String NAME = "sort";
    public static final int MIN_DIFFICULTY = 1;
    public static final int MAX_DIFFICULTY = 100;

    public SortTask {
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
        char[] digits = new char[difficulty];
        for (int i = 0; i < digits.length; i++) {
            digits[i] = (char) ('0' + random.nextInt(10));
        }
        String prompt = new String(digits) + "=";
        Arrays.sort(digits);
        return new Problem(ProblemSeeds.problemId(NAME, difficulty, seed, index), NAME, prompt, new String(digits));
    }

    @Override
    public Verifier verifier() {
        return new ExactMatchVerifier();
    }

    @Override
    public String alphabet() {
        return "0123456789=";
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
