package io.rollstream.source;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import io.rollstream.common.Json;
import io.rollstream.tasks.Problem;
import io.rollstream.types.InvalidRecord;
import java.io.Serializable;
import java.math.BigDecimal;
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
 *   <li>the line must be exactly one JSON value (trailing text and duplicate keys are refused), and an object,
 *       within Jackson's limits (nesting depth 1000, numbers of 1000 digits, strings of 20 M characters);</li>
 *   <li>prompt: a non-empty string (blank and over-long prompts are left to {@link ProblemValidator});</li>
 *   <li>answer: a string, or a number kept as written with exponents expanded ({@code 85 → "85"},
 *       {@code 1.50 → "1.50"}, {@code 1e3 → "1000"}) when that takes at most {@value #MAX_NUMBER_CHARS}
 *       characters ({@code 1e2147483647} is refused, not expanded);</li>
 *   <li>id: optional (absent or null), else a non-blank string of at most {@value #MAX_ID_CHARS}
 *       characters or an integer; when absent it is derived
 *       from the prompt ({@code "sha1:"} + 16 hex digits of SHA-1 of its UTF-8 bytes), so the same prompt
 *       keys the same way in every epoch and run — duplicate prompts share one key;</li>
 *   <li>task: optional (absent or null, then the default task), else a non-blank string;</li>
 *   <li>no text field may contain U+FFFD, which is what UTF-8 decoding leaves for invalid bytes (a
 *       genuine U+FFFD cannot be told apart and is refused too), a control character other than tab,
 *       line feed and carriage return (C0, DEL, C1), or half of a surrogate pair.</li>
 * </ul>
 * Keys not in the {@link FieldMapping} are ignored. Whatever else goes wrong while reading a line
 * (an exception from the JSON library on input it did not foresee) refuses that line with the
 * exception's message: one record never fails the job.
 */
public final class ProblemParser implements Serializable {

    /** Longest parser message kept in a reason. */
    static final int MAX_MESSAGE_CHARS = 160;

    /** Longest id (ids key the job's state). */
    static final int MAX_ID_CHARS = 512;

    /** Longest numeric answer written out in digits (Jackson's own limit on a number's length). */
    static final int MAX_NUMBER_CHARS = 1000;

    private static final ObjectReader READER = Json.mapper()
            .reader()
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
        try {
            return parseOrThrow(line, origin);
        } catch (RuntimeException | StackOverflowError e) {
            return refuse(line, origin, "could not be read: " + shortMessage(e));
        }
    }

    private ParseResult parseOrThrow(String line, String origin) {
        if (line.isBlank()) {
            return ParseResult.BLANK;
        }
        String json = line.charAt(0) == '\uFEFF' ? line.substring(1) : line;
        JsonNode node;
        try {
            node = READER.readTree(json);
        } catch (JsonProcessingException e) {
            return refuse(line, origin, "not valid JSON: " + shortMessage(e));
        } catch (NumberFormatException e) { // e.g. an exponent beyond BigDecimal's range, 1e-2147483648
            return refuse(line, origin, "a number cannot be read: " + shortMessage(e));
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
        return new ParseResult.Valid(
                new Problem(idOf(node.get(fields.id()), prompt), taskOf(node.get(fields.task())), prompt, answerText));
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
        if (a.isNumber() && !a.isIntegralNumber() && plainLength(a.decimalValue()) > MAX_NUMBER_CHARS) {
            return "field '" + answer + "' is the number " + a.decimalValue() + ", whose digits written out would take "
                    + plainLength(a.decimalValue()) + " characters, more than " + MAX_NUMBER_CHARS
                    + ": give the answer as a string";
        }
        JsonNode id = node.get(fields.id());
        if (id != null && !id.isNull()) {
            if (!id.isTextual() && !id.isIntegralNumber()) {
                return "field '" + fields.id() + "' must be a string or an integer, got " + typeOf(id);
            }
            if (id.isTextual() && id.textValue().isBlank()) {
                return "field '" + fields.id() + "' must not be empty";
            }
            if (id.isTextual() && id.textValue().length() > MAX_ID_CHARS) {
                return "field '" + fields.id() + "' has " + id.textValue().length() + " characters, more than "
                        + MAX_ID_CHARS;
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
        String[][] texts = {
            {prompt, p.textValue()},
            {answer, a.isTextual() ? a.textValue() : ""},
            {fields.id(), id != null && id.isTextual() ? id.textValue() : ""},
            {fields.task(), task != null && task.isTextual() ? task.textValue() : ""}
        };
        for (String[] field : texts) {
            String bad = badCharacter(field[1]);
            if (bad != null) {
                return "field '" + field[0] + "' contains " + bad;
            }
        }
        return null;
    }

    /** What is wrong with the first character of {@code text} that a problem may not hold, or null. */
    static String badCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\uFFFD') {
                return "invalid UTF-8 (U+FFFD at index " + i + ")";
            }
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7F && c <= 0x9F)) {
                return String.format("the control character U+%04X at index %d", (int) c, i);
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return String.format("half of a surrogate pair (U+%04X at index %d)", (int) c, i);
            }
        }
        return null;
    }

    /** Characters of {@code n} written without an exponent, as {@link BigDecimal#toPlainString} would. */
    static long plainLength(BigDecimal n) {
        long digits = n.precision();
        long scale = n.scale();
        long length = scale <= 0 ? digits - scale : scale >= digits ? scale + 2 : digits + 1;
        return length + (n.signum() < 0 ? 1 : 0);
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
        return number.isIntegralNumber()
                ? number.bigIntegerValue().toString()
                : number.decimalValue().toPlainString();
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

    private static String shortMessage(Throwable e) {
        if (!(e instanceof JsonProcessingException json)) {
            return shorten(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        String original = String.valueOf(json.getOriginalMessage());
        String message = shorten(original.substring(0, Math.min(original.length(), 8 * MAX_MESSAGE_CHARS))
                .replaceAll("\\[Source: [^\\]]*?column: (\\d+)\\]", "column $1")); // Jackson's nested locations
        return json.getLocation() == null
                ? message
                : message + " (column " + json.getLocation().getColumnNr() + ")";
    }

    private static String shorten(String text) {
        String head = text.length() > 4 * MAX_MESSAGE_CHARS ? text.substring(0, 4 * MAX_MESSAGE_CHARS) : text;
        String message = head.replaceAll("\\s+", " ").trim();
        if (message.length() > MAX_MESSAGE_CHARS) {
            message = message.substring(0, MAX_MESSAGE_CHARS) + "…";
        }
        return message;
    }

    private static ParseResult refuse(String line, String origin, String reason) {
        return new ParseResult.Invalid(InvalidRecord.of(origin, line, reason));
    }
}
