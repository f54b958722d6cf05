package io.rollstream.job;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bad input as a new user would give it, in one JSONL file among valid problems: each bad record
 * with the words its reason in {@code invalid-records.jsonl} must contain. Problems are one-digit
 * additions ("3+4=") so the test's tiny model and character tokenizer can take the valid ones.
 */
final class BadInputCorpus {

    /** Valid problems in the file (one of them is scored by a verifier that throws). */
    static final int VALID = 13;
    /** The answer on which the test's verifier throws. */
    static final String THROWING_ANSWER = "boom";

    /** Bad record name → a phrase its reason contains. */
    static final Map<String, String> EXPECTED_REASONS = new LinkedHashMap<>();

    static {
        EXPECTED_REASONS.put("truncated JSON", "not valid JSON");
        EXPECTED_REASONS.put("wrong type", "must be a string, got integer");
        EXPECTED_REASONS.put("missing field", "missing field 'answer'");
        EXPECTED_REASONS.put("empty prompt", "'prompt' is empty");
        EXPECTED_REASONS.put("invalid UTF-8", "invalid UTF-8");
        EXPECTED_REASONS.put("1 MB prompt", "more than data.max_prompt_chars");
        EXPECTED_REASONS.put("unknown task", "unknown task 'poetry'");
        EXPECTED_REASONS.put("verifier throws", "the verifier threw");
    }

    private BadInputCorpus() {}

    /** Writes the corpus as {@code dir/problems.jsonl}; returns its path. */
    static Path write(Path dir) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < VALID - 1; i++) {
            line(out, "{\"id\": \"ok" + i + "\", \"prompt\": \"" + (i % 9) + "+" + (i / 9) + "=\", \"answer\": \""
                    + (i % 9 + i / 9) + "\"}");
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
        Files.createDirectories(dir);
        Path file = dir.resolve("problems.jsonl");
        Files.write(file, out.toByteArray());
        return file;
    }

    private static void line(ByteArrayOutputStream out, String text) {
        out.writeBytes((text + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
