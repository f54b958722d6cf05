package io.rollstream.tasks;

import java.math.BigInteger;
import java.util.regex.Pattern;

/**
 * Reward 1 when the stripped completion is exactly one integer equal to the answer, else 0.
 *
 * <p>An integer is an optional '+' or '-' followed by ASCII digits; leading zeros are allowed ({@code "085"}
 * equals 85, {@code "-0"} equals 0). Anything else in the completion — empty text, words, inner spaces
 * ({@code "8 5"}), decimals — scores 0. The answer must itself be such an integer (after stripping): a malformed
 * reference is a data error and raises {@link IllegalArgumentException} rather than silently scoring 0.
 */
public record NumericMatchVerifier() implements Verifier {

    public static final String NAME = "numeric_match";

    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");

    @Override
    public double score(String completion, String answer) {
        String expected = answer.strip();
        if (!INTEGER.matcher(expected).matches()) {
            throw new IllegalArgumentException(NAME + " needs an integer reference answer, got '" + answer + "'");
        }
        String actual = completion.strip();
        if (!INTEGER.matcher(actual).matches()) {
            return 0.0;
        }
        return new BigInteger(actual).equals(new BigInteger(expected)) ? 1.0 : 0.0;
    }

    @Override
    public String name() {
        return NAME;
    }
}
