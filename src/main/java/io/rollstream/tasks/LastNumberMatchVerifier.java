package io.rollstream.tasks;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reward 1 when the last number in the completion equals the answer numerically, else 0 (also when the
 * completion contains no number). Suited to free-form reasoning ("... so the total is 1,234.").
 *
 * <p>A number is ASCII digits with an optional decimal part ({@code 3.50}); the integer part may group thousands
 * with commas ({@code 1,234,567}; a malformed group such as {@code 12,34} reads as two numbers). A '+' or '-'
 * directly before it is a sign unless it follows a letter or digit, so {@code "x=-3"} gives -3 but
 * {@code "5-3"} gives 3. Comparison is by value ({@code 3.5} equals {@code 3.50}). The answer, after stripping,
 * must be exactly one such number; otherwise {@link IllegalArgumentException} is raised as a data error.
 */
public record LastNumberMatchVerifier() implements Verifier {

    public static final String NAME = "last_number_match";

    static final Pattern NUMBER =
            Pattern.compile("(?:(?<![\\p{L}\\p{N}])[+-])?(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\\.[0-9]+)?");

    @Override
    public double score(String completion, String answer) {
        BigDecimal expected = referenceValue(answer);
        Matcher matcher = NUMBER.matcher(completion);
        String last = null;
        while (matcher.find()) {
            last = matcher.group();
        }
        if (last == null) {
            return 0.0;
        }
        return value(last).compareTo(expected) == 0 ? 1.0 : 0.0;
    }

    private static BigDecimal referenceValue(String answer) {
        String stripped = answer.strip();
        if (!NUMBER.matcher(stripped).matches()) {
            throw new IllegalArgumentException(NAME + " needs a numeric reference answer, got '" + answer + "'");
        }
        return value(stripped);
    }

    private static BigDecimal value(String number) {
        return new BigDecimal(number.replace(",", ""));
    }

    @Override
    public String name() {
        return NAME;
    }
}
