package io.rollstream.source;

import io.rollstream.common.Json;
import io.rollstream.tasks.Problem;
import io.rollstream.types.InvalidRecord;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Turns one JSONL line into a {@link Problem}, or into an {@link InvalidRecord} whose reason names
 * the offending field by its configured JSON key. Pure and total: it never throws on input, however
 * broken or long (the refused record text is truncated by {@link InvalidRecord#of}).
 *
 * <p>Rules, checked in this order, the first failure wins:
 * <ul>
 *   <li>a blank line is {@link ParseResult#BLANK}, not an error; a leading byte-order mark is ignored;</li>
 *   <li>the line must be exactly one JSON value (trailing text and duplicate keys are refused), and an object;</li>
 *   <li>prompt: a non-empty string (blank and over-long prompts are left to {@link ProblemValidator});</li>
 *   <li>answer: a string, or a number kept as written with exponents expanded ({@code 85 → "85"},
 *       {@code 1.50 → "1.50"}, {@code 1e3 → "1000"});</li>
 *   <li>id: optional (absent or null), else a non-blank string or an integer; when absent it is derived
 *       from the prompt ({@code "sha1:"} + 16 hex digits of SHA-1 of its UTF-8 bytes), so the same prompt
 *       keys the same way in every epoch and run — duplicate prompts share one key;</li>
 *   <li>task: optional (absent or null, then the default task), else a non-blank string;</li>
 *   <li>no text field may contain U+FFFD, which is what UTF-8 decoding leaves for invalid bytes (a
 *       genuine U+FFFD cannot be told apart and is refused too).</li>
 * </ul>
 * Keys not in the {@link FieldMapping} are ignored.
 */
public final class ProblemParser implements Serializable {

    /** Longest parser message kept in a reason. */
    static final int MAX_MESSAGE_CHARS = 160;

    private static final ObjectReader READER = Json.mapper().reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);

    private final FieldMapping fields;
    private final String defaultTask;

    public ProblemParser(FieldMapping fields, String defaultTask) {
        if (fields == null) {
            throw new IllegalArgumentException("field mapping must not be null");
        }
        if (defaultTask == null || defaultTask.isBlank()) {
            throw new IllegalArgumentException("default task must not be blank");
        }
        this.fields = fields;
        this.defaultTask = defaultTask;
    }

    /**
     * @param line one line of a JSONL file, without its line break
     * @param origin where it came from (file and line), copied into refused records
     */
    public ParseResult parse(String line, String origin) {
        if (line.isBlank()) {
            return ParseResult.BLANK;
        }
        String json = line.charAt(0) == '\uFEFF' ? line.substring(1) : line;
        JsonNode node;
        try {
            node = READER.readTree(json);
        } catch (JsonProcessingException e) {
            return refuse(line, origin, "not valid JSON: " + shortMessage(e));
        }
        if (node == null || !node.isObject()) {
            return refuse(line, origin, "expected a JSON object, got " + (node == null ? "nothing" : typeOf(node)));
        }
        String problem = problemWith(node);
        if (problem != null) {
            return refuse(line, origin, problem);
        }
        String prompt = node.get(fields.prompt()).textValue();
        JsonNode answer = node.get(fields.answer());
        String answerText = answer.isTextual() ? answer.textValue() : numberText(answer);
        return new ParseResult.Valid(new Problem(idOf(node.get(fields.id()), prompt), taskOf(node.get(fields.task())),
                prompt, answerText));
    }

    /** Why the object cannot be a problem, or null when it can. */
    private String problemWith(JsonNode node) {
        String prompt = fields.prompt();
        JsonNode p = node.get(prompt);
        if (p == null || p.isNull()) {
            return missing(prompt, p);
        }
        if (!p.isTextual()) {
            return "field '" + prompt + "' must be a string, got " + typeOf(p);
        }
        if (p.textValue().isEmpty()) {
            return "field '" + prompt + "' is empty";
        }
        String answer = fields.answer();
        JsonNode a = node.get(answer);
        if (a == null || a.isNull()) {
            return missing(answer, a);
        }
        if (!a.isTextual() && !a.isNumber()) {
            return "field '" + answer + "' must be a string or a number, got " + typeOf(a);
        }
        JsonNode id = node.get(fields.id());
        if (id != null && !id.isNull()) {
            if (!id.isTextual() && !id.isIntegralNumber()) {
                return "field '" + fields.id() + "' must be a string or an integer, got " + typeOf(id);
            }
            if (id.isTextual() && id.textValue().isBlank()) {
                return "field '" + fields.id() + "' must not be empty";
            }
        }
        JsonNode task = node.get(fields.task());
        if (task != null && !task.isNull()) {
            if (!task.isTextual()) {
                return "field '" + fields.task() + "' must be a string, got " + typeOf(task);
            }
            if (task.textValue().isBlank()) {
                return "field '" + fields.task() + "' must not be empty";
            }
        }
        String[][] texts = {{prompt, p.textValue()}, {answer, a.isTextual() ? a.textValue() : ""},
                {fields.id(), id != null && id.isTextual() ? id.textValue() : ""},
                {fields.task(), task != null && task.isTextual() ? task.textValue() : ""}};
        for (String[] field : texts) {
            int bad = field[1].indexOf('\uFFFD');
            if (bad >= 0) {
                return "field '" + field[0] + "' contains invalid UTF-8 (U+FFFD at index " + bad + ")";
            }
        }
        return null;
    }

    private String idOf(JsonNode id, String prompt) {
        if (id == null || id.isNull()) {
            return derivedId(prompt);
        }
        return id.isTextual() ? id.textValue() : id.bigIntegerValue().toString();
    }

    private String taskOf(JsonNode task) {
        return task == null || task.isNull() ? defaultTask : task.textValue();
    }

    /** {@code "sha1:"} + the first 16 hex digits of SHA-1 of the prompt's UTF-8 bytes. */
    static String derivedId(String prompt) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(prompt.getBytes(StandardCharsets.UTF_8));
            return "sha1:" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-1", e);
        }
    }

    private static String numberText(JsonNode number) {
        return number.isIntegralNumber() ? number.bigIntegerValue().toString() : number.decimalValue().toPlainString();
    }

    private static String missing(String key, JsonNode value) {
        return "missing field '" + key + "'" + (value == null ? "" : " (null)");
    }

    private static String typeOf(JsonNode node) {
        return switch (node.getNodeType()) {
            case OBJECT -> "object";
            case ARRAY -> "array";
            case STRING -> "string";
            case NUMBER -> node.isIntegralNumber() ? "integer" : "number";
            case BOOLEAN -> "boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase();
        };
    }

    private static String shortMessage(JsonProcessingException e) {
        String message = String.valueOf(e.getOriginalMessage())
                .replaceAll("\\[Source: [^\\]]*?column: (\\d+)\\]", "column $1") // Jackson's nested locations
                .replaceAll("\\s+", " ").trim();
        if (message.length() > MAX_MESSAGE_CHARS) {
            message = message.substring(0, MAX_MESSAGE_CHARS) + "…";
        }
        return e.getLocation() == null ? message : message + " (column " + e.getLocation().getColumnNr() + ")";
    }

    private static ParseResult refuse(String line, String origin, String reason) {
        return new ParseResult.Invalid(InvalidRecord.of(origin, line, reason));
    }
}
