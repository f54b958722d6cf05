package io.rollstream.tasks;

/**
 * Reward 1 when completion and answer are equal after stripping leading and trailing whitespace (Unicode-aware,
 * {@link String#strip()}), else 0. Case and inner whitespace are significant.
 */
public record ExactMatchVerifier() implements Verifier {

    public static final String NAME = "exact_match";

    @Override
    public double score(String completion, String answer) {
        return completion.strip().equals(answer.strip()) ? 1.0 : 0.0;
    }

    @Override
    public String name() {
        return NAME;
    }
}
