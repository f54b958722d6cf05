package io.rollstream.tasks;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reward 1 when a completion's final answer equals the reference's, else 0: the verifier for GSM8K- and
 * MATH-style data sets.
 *
 * <p>The final answer of a text is the content of its last {@code \boxed{...}} (braces may nest), else what
 * follows its last {@code ####} up to the end of that line; a completion with neither scores 0 (the format is
 * part of the task). The reference is read the same way, so a GSM8K answer field ("...reasoning... #### 72") can
 * be the reference as it is; a reference with neither marker is the answer itself.
 *
 * <p>Answers compare as numbers when each is one number (words such as a unit may surround it), with thousands separators, a
 * currency sign, a trailing percent sign or period and LaTeX spacing ignored, so {@code 1,000}, {@code 1000},
 * {@code 1000.0} and {@code $1,000} are equal; simple fractions ({@code 3/4}, {@code \frac{3}{4}}) equal their
 * decimal value ({@code 0.75}); a leading minus (also U+2212) makes a number negative. Otherwise they compare as text after trimming and collapsing whitespace. Hostile input never
 * throws: a number of more than {@value #MAX_NUMBER_CHARS} characters is compared as text, only the last
 * {@value #MAX_SCAN_CHARS} characters of a text are searched and only the last {@value #MAX_ANSWER_CHARS} of an
 * answer are read; brace nesting is counted, never recursed into. A blank reference is a data error
 * ({@link IllegalArgumentException}).
 */
public record MathAnswerVerifier() implements Verifier {

    public static final String NAME = "math_answer";

    /** Longest number compared by value, in characters. */
    static final int MAX_NUMBER_CHARS = 64;
    /** Characters read from the end of a text to find its final answer (bounds the work on hostile input). */
    static final int MAX_SCAN_CHARS = 10_000;
    /** Longest final answer read, in characters. */
    static final int MAX_ANSWER_CHARS = 1000;

    private static final String BOXED = "\\boxed{";
    private static final String HASHES = "####";
    private static final Pattern FRACTION = Pattern.compile("(-?)\\\\[dt]?frac\\{(-?[0-9]+)\\}\\{(-?[0-9]+)\\}");
    private static final Pattern NUMBER = Pattern.compile(
            "(?<![0-9.])-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\\.[0-9]+)?(?:\\s*/\\s*-?[0-9]+(?![0-9.]))?|(?<![0-9])-?\\.[0-9]+");

    @Override
    public double score(String completion, String answer) {
        Optional<String> reference = finalAnswer(answer);
        if (reference.isEmpty() || reference.get().isBlank()) {
            throw new IllegalArgumentException(NAME + " needs a non-blank reference answer, got '" + answer + "'");
        }
        String tail = tail(completion, MAX_SCAN_CHARS);
        if (!tail.contains(BOXED) && !tail.contains(HASHES)) {
            return 0.0;
        }
        return same(finalAnswer(tail).orElseThrow(), reference.get()) ? 1.0 : 0.0;
    }

    /**
     * The final answer of {@code text}: the last {@code \boxed{}} content, else the rest of the line after the last
     * {@code ####}, else (for references) the whole text; empty for a completion without markers.
     */
    static Optional<String> finalAnswer(String whole) {
        String text = tail(whole, MAX_SCAN_CHARS);
        String boxed = lastBoxed(text);
        if (boxed != null) {
            return Optional.of(boxed);
        }
        int hashes = text.lastIndexOf(HASHES);
        if (hashes >= 0) {
            String rest = text.substring(hashes + HASHES.length());
            int newline = rest.indexOf('\n');
            return Optional.of(tail(newline >= 0 ? rest.substring(0, newline) : rest));
        }
        return Optional.of(tail(text));
    }

    /** Content of the last {@code \boxed{...}} whose braces close; null if there is none. Never recurses. */
    private static String lastBoxed(String text) {
        int from = text.lastIndexOf(BOXED);
        while (from >= 0) {
            int start = from + BOXED.length();
            int depth = 1;
            for (int i = start; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '{') {
                    depth++;
                } else if (c == '}' && --depth == 0) {
                    return tail(text.substring(start, i));
                }
            }
            from = from == 0 ? -1 : text.lastIndexOf(BOXED, from - 1);
        }
        return null;
    }

    private static String tail(String s) {
        return tail(s, MAX_ANSWER_CHARS);
    }

    private static String tail(String s, int chars) {
        return s.length() <= chars ? s : s.substring(s.length() - chars);
    }

    private static boolean same(String given, String reference) {
        Optional<Rational> expected = number(reference);
        Optional<Rational> actual = number(given);
        if (expected.isPresent() && actual.isPresent()) {
            return expected.get().equalsValue(actual.get());
        }
        return text(given).equals(text(reference));
    }

    /**
     * The value of an answer that is one number (a decimal or a simple fraction, possibly with words such as a
     * unit around it); empty when it holds no number, several (an expression such as {@code x^2+1}), or one too
     * long to compare.
     */
    static Optional<Rational> number(String answer) {
        String s = normalized(answer);
        Matcher fraction = FRACTION.matcher(s);
        if (fraction.find()) {
            String rest = s.substring(0, fraction.start()) + s.substring(fraction.end());
            if (rest.chars().anyMatch(Character::isDigit)) {
                return Optional.empty();
            }
            Optional<Rational> value = Rational.of(fraction.group(2), fraction.group(3));
            return fraction.group(1).isEmpty() ? value : value.map(Rational::negate);
        }
        Matcher number = NUMBER.matcher(s);
        if (!number.find() || number.group().length() > MAX_NUMBER_CHARS) {
            return Optional.empty();
        }
        String rest = s.substring(0, number.start()) + s.substring(number.end());
        if (rest.chars().anyMatch(Character::isDigit)) {
            return Optional.empty();
        }
        String n = number.group().replace(",", "").replace(" ", "");
        int slash = n.indexOf('/');
        return slash < 0 ? Rational.of(n, "1") : Rational.of(n.substring(0, slash), n.substring(slash + 1));
    }

    /** Drops what does not change an answer's value: LaTeX spacing and text wrappers, currency signs, minus forms. */
    private static String normalized(String answer) {
        return answer.replace('\u2212', '-')
                .replace("\\!", "")
                .replace("\\,", "")
                .replace("{,}", ",")
                .replace("\\$", "")
                .replace("$", "")
                .replace("\\%", "")
                .replace("%", "")
                .replace("\\left", "")
                .replace("\\right", "");
    }

    private static String text(String answer) {
        String s = answer.strip().replaceAll("\\s+", " ");
        return s.endsWith(".") ? s.substring(0, s.length() - 1).strip() : s;
    }

    /** An exact rational number, so that 3/4 equals 0.75 and 1000 equals 1000.0. */
    record Rational(BigInteger numerator, BigInteger denominator) {

        static Optional<Rational> of(String numerator, String denominator) {
            try {
                BigDecimal n = new BigDecimal(numerator);
                BigDecimal d = new BigDecimal(denominator);
                if (d.signum() == 0) {
                    return Optional.empty();
                }
                // n/d = (n.unscaled * 10^d.scale) / (d.unscaled * 10^n.scale); both scales are small (short input)
                BigInteger num = n.unscaledValue().multiply(BigInteger.TEN.pow(Math.max(0, d.scale())));
                BigInteger den = d.unscaledValue().multiply(BigInteger.TEN.pow(Math.max(0, n.scale())));
                return Optional.of(new Rational(num, den));
            } catch (NumberFormatException | ArithmeticException e) {
                return Optional.empty();
            }
        }

        Rational negate() {
            return new Rational(numerator.negate(), denominator);
        }

        boolean equalsValue(Rational other) {
            return numerator.multiply(other.denominator).equals(other.numerator.multiply(denominator));
        }
    }

    @Override
    public String name() {
        return NAME;
    }
}
