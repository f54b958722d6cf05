package io.rollstream.tasks;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Integer addition (optionally mixed with subtraction) of two operands with {@code difficulty} digits each.
 *
 * <p>Problem {@code i}: from {@link ProblemSeeds#random(long, long)} draw {@code a}, then {@code b}, each uniform in
 * {@code [0, 10^difficulty)}; with {@link Operators#PLUS_MINUS} then draw the operator, '+' or '-' with equal
 * probability. The prompt is {@code a + op + b + "="} in plain decimal (no leading zeros), the answer the exact
 * result in plain decimal, negative results with a leading '-' (e.g. {@code "12-48="} → {@code "-36"}). Scored
 * by {@link NumericMatchVerifier}.
 *
 * @param seed seed of the problem stream
 * @param difficulty digits per operand, in [{@value #MIN_DIFFICULTY}, {@value #MAX_DIFFICULTY}]
 * @param operators which operators problems use
 */
public record ArithmeticTask(long seed, int difficulty, Operators operators) implements Task {

    public static final String NAME = "arithmetic";
    public static final int MIN_DIFFICULTY = 1;
    public static final int MAX_DIFFICULTY = 9;

    /** Operator sets; {@link #symbols()} is the spelling used in options, e.g. {@code "+-"}. */
    public enum Operators {
        /** Addition only. */
        PLUS("+"),
        /** Addition and subtraction, each with probability 1/2. */
        PLUS_MINUS("+-");

        private final String symbols;

        Operators(String symbols) {
            this.symbols = symbols;
        }

        /** The operator characters, e.g. {@code "+-"}. */
        public String symbols() {
            return symbols;
        }

        /**
         * The operator set spelled {@code symbols}.
         *
         * @throws IllegalArgumentException listing the accepted spellings for anything else
         */
        public static Operators fromSymbols(String symbols) {
            return Arrays.stream(values())
                    .filter(o -> o.symbols.equals(symbols))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("Unknown arithmetic operators '" + symbols
                            + "'; known: "
                            + Arrays.stream(values()).map(Operators::symbols).toList()));
        }
    }

    public ArithmeticTask {
        ProblemSeeds.checkDifficulty(NAME, difficulty, MIN_DIFFICULTY, MAX_DIFFICULTY);
        Objects.requireNonNull(operators, "operators must not be null");
    }

    /** Addition-only task. */
    public ArithmeticTask(long seed, int difficulty) {
        this(seed, difficulty, Operators.PLUS);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Problem problem(long index) {
        ProblemSeeds.checkIndex(NAME, index);
        SplittableRandom random = ProblemSeeds.random(seed, index);
        long bound = pow10(difficulty);
        long a = random.nextLong(bound);
        long b = random.nextLong(bound);
        boolean subtract = operators == Operators.PLUS_MINUS && random.nextBoolean();
        String prompt = a + (subtract ? "-" : "+") + b + "=";
        String answer = Long.toString(subtract ? a - b : a + b);
        return new Problem(
                ProblemSeeds.problemId(NAME + "[" + operators.symbols() + "]", difficulty, seed, index),
                NAME,
                prompt,
                answer);
    }

    @Override
    public Verifier verifier() {
        return new NumericMatchVerifier();
    }

    @Override
    public String alphabet() {
        return "0123456789" + operators.symbols() + "=";
    }

    /** Two operands of at most {@code difficulty} digits, one operator and '='. */
    @Override
    public int maxPromptChars() {
        return 2 * difficulty + 2;
    }

    /** A sum has at most {@code difficulty + 1} digits; a difference at most {@code difficulty} digits and a sign. */
    @Override
    public int maxAnswerChars() {
        return difficulty + 1;
    }

    private static long pow10(int exponent) {
        long value = 1;
        for (int i = 0; i < exponent; i++) {
            value *= 10;
        }
        return value;
    }
}
