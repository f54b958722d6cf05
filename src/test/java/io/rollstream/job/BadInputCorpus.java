package io.rollstream.job;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bad input as a new user or an attacker would give it, in one JSONL file among valid problems:
 * each bad record with the words its reason in {@code invalid-records.jsonl} must contain (each
 * phrase matches exactly one reason). Problems are one-digit additions ("3+4=") so the test's tiny
 * model and character tokenizer can take the valid ones.
 */
final class BadInputCorpus {

    /** Distinct valid problems in the file (one of them is scored by a verifier that throws). */
    static final int VALID = 14;
    /** Valid lines: the problems, and one of them once more with the same id and content. */
    static final int VALID_LINES = VALID + 1;
    /** The answer on which the test's verifier throws. */
    static final String THROWING_ANSWER = "boom";
    /** Longer than a record may be (16 MiB). */
    static final int LONG_LINE_BYTES = 17 << 20;

    /** Bad record name → a phrase its reason contains. */
    static final Map<String, String> EXPECTED_REASONS = new LinkedHashMap<>();

    static {
        EXPECTED_REASONS.put("truncated JSON", "not valid JSON: Unexpected end-of-input");
        EXPECTED_REASONS.put("wrong type", "must be a string, got integer");
        EXPECTED_REASONS.put("missing field", "missing field 'answer'");
        EXPECTED_REASONS.put("empty prompt", "'prompt' is empty");
        EXPECTED_REASONS.put("invalid UTF-8", "invalid UTF-8");
        EXPECTED_REASONS.put("1 MB prompt", "more than data.max_prompt_chars");
        EXPECTED_REASONS.put("unknown task", "unknown task 'poetry'");
        EXPECTED_REASONS.put("verifier throws", "the verifier threw");
        EXPECTED_REASONS.put("exponent 2147483647", "the number 1E+2147483647, whose digits written out would take");
        EXPECTED_REASONS.put("exponent 999999999", "the number 1E+999999999, whose digits written out would take");
        EXPECTED_REASONS.put("exponent beyond BigDecimal", "a number cannot be read");
        EXPECTED_REASONS.put("5000-digit number", "Number value length (5000) exceeds the maximum allowed (1000");
        EXPECTED_REASONS.put("nested 100000 deep", "nesting depth (1001) exceeds the maximum allowed (1000");
        EXPECTED_REASONS.put("NaN", "Non-standard token 'NaN'");
        EXPECTED_REASONS.put("raw control character", "(CTRL-CHAR, code 1)");
        EXPECTED_REASONS.put("escaped NUL", "the control character U+0000 at index 2");
        EXPECTED_REASONS.put("lone surrogate", "half of a surrogate pair (U+D800 at index 2)");
        EXPECTED_REASONS.put("600-character id", "has 600 characters, more than 512");
        EXPECTED_REASONS.put(
                "17 MiB line", "the line has 17,825,792 bytes, more than the 16,777,216 a record may have");
        EXPECTED_REASONS.put("duplicate id", "duplicate_id: id 'ok1' was first read at ");
    }

    private BadInputCorpus() {}

    /** Writes the corpus as {@code dir/problems.jsonl}; returns its path. */
    static Path write(Path dir) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < VALID - 2; i++) {
            line(out, valid(i));
            if (i == 3) {
                line(out, "{\"id\": \"truncated\", \"prompt\": \"1+1=\", \"answer\": \"2\"");
                line(out, "{\"id\": \"wrong-type\", \"prompt\": 42, \"answer\": \"2\"}");
                line(out, "{\"id\": \"missing\", \"prompt\": \"1+2=\"}");
                line(out, "{\"id\": \"empty\", \"prompt\": \"\", \"answer\": \"3\"}");
            }
        }
        // Invalid UTF-8: 0xC3 must be followed by a continuation byte, not '('.
        out.write("{\"id\": \"utf8\", \"prompt\": \"1+".getBytes(StandardCharsets.UTF_8));
        out.write(new byte[] {(byte) 0xC3, '('});
        line(out, "=\", \"answer\": \"1\"}");
        line(out, "{\"id\": \"huge\", \"prompt\": \"" + "1".repeat(1 << 20) + "=\", \"answer\": \"1\"}");
        line(out, "{\"id\": \"task\", \"prompt\": \"2+2=\", \"answer\": \"4\", \"task\": \"poetry\"}");
        line(out, "{\"id\": \"throws\", \"prompt\": \"5+5=\", \"answer\": \"" + THROWING_ANSWER + "\"}");
        // Numbers: an answer that would expand to 2^31 digits, one of 10^9 digits, one beyond BigDecimal.
        line(out, "{\"id\": \"exp\", \"prompt\": \"1+1=\", \"answer\": 1e2147483647}");
        line(out, "{\"id\": \"exp9\", \"prompt\": \"1+1=\", \"answer\": 1e999999999}");
        line(out, "{\"id\": \"exp-range\", \"prompt\": \"1+1=\", \"answer\": 1e-2147483648}");
        line(out, "{\"id\": \"digits\", \"prompt\": \"1+1=\", \"answer\": " + "9".repeat(5000) + "}");
        line(
                out,
                "{\"id\": \"deep\", \"prompt\": \"1+1=\", \"answer\": " + "[".repeat(100_000) + "]".repeat(100_000)
                        + "}");
        line(out, "{\"id\": \"nan\", \"prompt\": \"1+1=\", \"answer\": NaN}");
        line(out, "{\"id\": \"ctrl\", \"prompt\": \"1+\u0001=\", \"answer\": \"2\"}");
        line(out, "{\"id\": \"nul\", \"prompt\": \"1+\\u0000=\", \"answer\": \"2\"}");
        line(out, "{\"id\": \"surrogate\", \"prompt\": \"1+\\ud800=\", \"answer\": \"2\"}");
        line(out, "{\"id\": \"" + "i".repeat(600) + "\", \"prompt\": \"1+1=\", \"answer\": \"2\"}");
        // One line of 17 MiB: a prompt no record may have, nor the reader hold.
        String prefix = "{\"id\": \"long\", \"prompt\": \"";
        String suffix = "\", \"answer\": \"1\"}";
        line(out, prefix + "1".repeat(LONG_LINE_BYTES - prefix.length() - suffix.length()) + suffix);
        // The same id as ok1 with another problem; ok2 once more as it was; a valid line after a byte-order mark.
        line(out, "{\"id\": \"ok1\", \"prompt\": \"9+9=\", \"answer\": \"18\"}");
        line(out, valid(2));
        line(out, "\uFEFF" + valid(VALID - 2));
        Files.createDirectories(dir);
        Path file = dir.resolve("problems.jsonl");
        Files.write(file, out.toByteArray());
        return file;
    }

    /** Valid problem i: "ok" + i, a one-digit addition. */
    private static String valid(int i) {
        return "{\"id\": \"ok" + i + "\", \"prompt\": \"" + (i % 9) + "+" + (i / 9) + "=\", \"answer\": \""
                + (i % 9 + i / 9) + "\"}";
    }

    private static void line(ByteArrayOutputStream out, String text) {
        out.writeBytes((text + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
