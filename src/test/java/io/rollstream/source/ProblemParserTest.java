package io.rollstream.source;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.tasks.Problem;
import io.rollstream.types.InvalidRecord;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The parser on good lines and on a corpus of broken ones: every refusal names the field and the fault. */
class ProblemParserTest {

    private final ProblemParser parser = new ProblemParser(FieldMapping.defaults(), "jsonl");

    private Problem valid(String line) {
        ParseResult result = parser.parse(line, "f.jsonl:1");
        assertThat(result).isInstanceOf(ParseResult.Valid.class);
        return ((ParseResult.Valid) result).problem();
    }

    private static String reason(ProblemParser parser, String line) {
        ParseResult result = parser.parse(line, "f.jsonl:7");
        assertThat(result).as(line).isInstanceOf(ParseResult.Invalid.class);
        InvalidRecord record = ((ParseResult.Invalid) result).record();
        assertThat(record.source()).isEqualTo("f.jsonl:7");
        return record.reason();
    }

    private String reason(String line) {
        return reason(parser, line);
    }

    @Test
    void readsAProblemWithAllFields() {
        assertThat(valid("{\"id\":\"q1\",\"prompt\":\"What is 2+3?\",\"answer\":\"5\",\"task\":\"arithmetic\"}"))
                .isEqualTo(new Problem("q1", "arithmetic", "What is 2+3?", "5"));
    }

    @Test
    void blankLinesAreSkippedNotRefused() {
        assertThat(parser.parse("", "f:1")).isEqualTo(ParseResult.BLANK);
        assertThat(parser.parse("  \t ", "f:2")).isEqualTo(ParseResult.BLANK);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "{\"prompt\": \"What is 2+3?\", \"answer\": \"5\"  | not valid JSON: Unexpected end-of-input",
                "{\"prompt\": \"a\", \"answer\": \"5\"} trailing  | not valid JSON:",
                "{prompt: \"a\", answer: \"5\"}                  | not valid JSON:",
                "{\"prompt\": \"a\", \"prompt\": \"b\", \"answer\": 1} | not valid JSON: Duplicate field 'prompt'",
                "`[\"prompt\", \"answer\"]`                      | expected a JSON object, got array",
                "\"just a string\"                               | expected a JSON object, got string",
                "42                                              | expected a JSON object, got integer",
                "null                                            | expected a JSON object, got null",
                "{\"answer\": \"5\"}                             | missing field 'prompt'",
                "{\"prompt\": null, \"answer\": \"5\"}           | missing field 'prompt' (null)",
                "{\"prompt\": 42, \"answer\": \"5\"}             | field 'prompt' must be a string, got integer",
                "{\"prompt\": \"\", \"answer\": \"5\"}           | field 'prompt' is empty",
                "{\"prompt\": \"What?\"}                         | missing field 'answer'",
                "{\"prompt\": \"What?\", \"answer\": null}       | missing field 'answer' (null)",
                "{\"prompt\": \"What?\", \"answer\": {\"v\": 5}} | field 'answer' must be a string or a number, got object",
                "`{\"prompt\": \"What?\", \"answer\": [5]}`      | field 'answer' must be a string or a number, got array",
                "{\"prompt\": \"What?\", \"answer\": true}       | field 'answer' must be a string or a number, got boolean",
                "{\"id\": 1.5, \"prompt\": \"a\", \"answer\": 1} | field 'id' must be a string or an integer, got number",
                "{\"id\": \" \", \"prompt\": \"a\", \"answer\": 1} | field 'id' must not be empty",
                "{\"task\": 3, \"prompt\": \"a\", \"answer\": 1} | field 'task' must be a string, got integer",
                "{\"task\": \"\", \"prompt\": \"a\", \"answer\": 1} | field 'task' must not be empty",
            })
    void refusesBrokenLinesNamingTheFault(String line, String expected) {
        assertThat(reason(line)).startsWith(expected);
    }

    @Test
    void parserMessagesAreShortAndCarryTheColumn() {
        String reason = reason("{\"prompt\": \"a\", \"answer\": " + "x".repeat(5000) + "}");
        assertThat(reason).startsWith("not valid JSON: ").contains("(column ").hasSizeLessThan(300);
    }

    @Test
    void refusesTextThatHadInvalidUtf8Bytes() {
        byte[] bytes = "{\"prompt\": \"Caf\u00e9 X\", \"answer\": \"ok\"}".getBytes(UTF_8);
        bytes[16] = (byte) 0xff; // the second byte of 'é' (0xc3 0xa9) broken: decoding gives U+FFFD
        String decoded = new String(bytes, UTF_8);
        assertThat(reason(decoded)).isEqualTo("field 'prompt' contains invalid UTF-8 (U+FFFD at index 3)");
        assertThat(reason("{\"prompt\": \"ok\", \"answer\": \"4\uFFFD2\"}"))
                .isEqualTo("field 'answer' contains invalid UTF-8 (U+FFFD at index 1)");
    }

    @Test
    void readsAOneMegabytePromptWithoutTrouble() {
        String prompt = "digits ".repeat(150_000);
        Problem p = valid("{\"prompt\": \"" + prompt + "\", \"answer\": \"7\"}");
        assertThat(p.prompt()).hasSize(prompt.length());

        String reason = reason("{\"prompt\": \"" + prompt + "\", \"answer\": ");
        assertThat(reason).startsWith("not valid JSON:");
        InvalidRecord refused = ((ParseResult.Invalid) parser.parse("{\"prompt\": \"" + prompt, "f:1")).record();
        assertThat(refused.record().length()).isLessThan(InvalidRecord.MAX_RECORD_CHARS + 50);
    }

    @Test
    void ignoresUnknownFieldsAndAByteOrderMark() {
        assertThat(valid("\uFEFF{\"prompt\": \"a\", \"answer\": \"b\", \"difficulty\": 3, \"meta\": {\"x\": []}}"))
                .extracting(Problem::prompt, Problem::answer)
                .containsExactly("a", "b");
    }

    @Test
    void readsCustomFieldKeysAndNamesThemInReasons() {
        ProblemParser custom = new ProblemParser(new FieldMapping("uid", "question", "solution", "kind"), "math");
        ParseResult result = custom.parse("{\"uid\": \"u1\", \"question\": \"1+1?\", \"solution\": 2}", "f:1");
        assertThat(result).isEqualTo(new ParseResult.Valid(new Problem("u1", "math", "1+1?", "2")));
        assertThat(reason(custom, "{\"prompt\": \"1+1?\", \"answer\": 2}")).isEqualTo("missing field 'question'");
        assertThat(reason(custom, "{\"question\": \"1+1?\", \"solution\": false}"))
                .isEqualTo("field 'solution' must be a string or a number, got boolean");
    }

    @ParameterizedTest
    @CsvSource({"85, 85", "-3, -3", "1.5, 1.5", "2.50, 2.50", "1e3, 1000", "12345678901234567890, 12345678901234567890"
    })
    void numericAnswersKeepTheirJsonText(String json, String text) {
        assertThat(valid("{\"prompt\": \"n?\", \"answer\": " + json + "}").answer())
                .isEqualTo(text);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1e2147483647   | field 'answer' is the number 1E+2147483647, whose digits written out would take 2147483648"
                        + " characters, more than 1000: give the answer as a string",
                "-1e999999999   | field 'answer' is the number -1E+999999999, whose digits written out would take 1000000001",
                "1e-2147483647  | field 'answer' is the number 1E-2147483647, whose digits written out would take 2147483649",
                "1e-2147483648  | a number cannot be read: NumberFormatException: ",
                "1e99999999999  | a number cannot be read: NumberFormatException: ",
                "NaN            | not valid JSON: Non-standard token 'NaN'",
                "-Infinity      | not valid JSON: Non-standard token '-Infinity'",
            })
    void refusesNumbersThatCannotBeWrittenOut(String json, String expected) {
        assertThat(reason("{\"prompt\": \"n?\", \"answer\": " + json + "}")).startsWith(expected);
    }

    @Test
    void expandsExponentsUpToTheLimit() {
        assertThat(valid("{\"prompt\": \"n?\", \"answer\": 1e998}").answer())
                .hasSize(999)
                .startsWith("10");
        assertThat(valid("{\"prompt\": \"n?\", \"answer\": 1e-997}").answer())
                .hasSize(999)
                .startsWith("0.00")
                .endsWith("1");
        assertThat(ProblemParser.plainLength(new BigDecimal("-12.345"))).isEqualTo("-12.345".length());
        assertThat(ProblemParser.plainLength(new BigDecimal("1.5E+3"))).isEqualTo("1500".length());
        assertThat(ProblemParser.plainLength(new BigDecimal("0.05"))).isEqualTo("0.05".length());
    }

    @Test
    void stopsAtTheJsonLibrarysLimits() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThat(reason("{\"prompt\": \"a\", \"answer\": " + deep + "}"))
                .startsWith("not valid JSON: Document nesting depth (1001) exceeds the maximum allowed (1000");
        assertThat(reason("{\"prompt\": \"a\", \"answer\": " + "7".repeat(5000) + "}"))
                .startsWith("not valid JSON: Number value length (5000) exceeds the maximum allowed (1000");
    }

    @Test
    void refusesControlCharactersAndHalfSurrogatesInTexts() {
        assertThat(reason("{\"prompt\": \"1+\u0001=\", \"answer\": 2}")).contains("(CTRL-CHAR, code 1)");
        assertThat(reason("{\"prompt\": \"1+\\u0000=\", \"answer\": 2}"))
                .isEqualTo("field 'prompt' contains the control character U+0000 at index 2");
        assertThat(reason("{\"prompt\": \"ok\", \"answer\": \"\\u009b2\"}"))
                .isEqualTo("field 'answer' contains the control character U+009B at index 0");
        assertThat(reason("{\"id\": \"a\\u007f\", \"prompt\": \"ok\", \"answer\": 2}"))
                .isEqualTo("field 'id' contains the control character U+007F at index 1");
        assertThat(reason("{\"prompt\": \"1+\\ud800=\", \"answer\": 2}"))
                .isEqualTo("field 'prompt' contains half of a surrogate pair (U+D800 at index 2)");
        assertThat(reason("{\"prompt\": \"x\\udc00\", \"answer\": 2}"))
                .isEqualTo("field 'prompt' contains half of a surrogate pair (U+DC00 at index 1)");
        assertThat(valid("{\"prompt\": \"tab\\there\\nand \\ud83d\\ude00\", \"answer\": \"caf\u00e9\"}")
                        .prompt())
                .isEqualTo("tab\there\nand \ud83d\ude00");
    }

    @Test
    void refusesIdsLongerThanTheLimit() {
        String id = "i".repeat(ProblemParser.MAX_ID_CHARS + 1);
        assertThat(reason("{\"id\": \"" + id + "\", \"prompt\": \"a\", \"answer\": 1}"))
                .isEqualTo("field 'id' has 513 characters, more than 512");
        assertThat(valid("{\"id\": \"" + id.substring(1) + "\", \"prompt\": \"a\", \"answer\": 1}")
                        .id())
                .hasSize(512);
    }

    @Test
    void derivesAStableIdFromThePromptWhenThereIsNone() {
        Problem first = valid("{\"prompt\": \"What is 7*8?\", \"answer\": 56}");
        Problem again = valid("{\"answer\": \"56\", \"id\": null, \"prompt\": \"What is 7*8?\"}");
        assertThat(first.id())
                .matches("sha1:[0-9a-f]{16}")
                .isEqualTo(again.id())
                .isEqualTo(ProblemParser.derivedId("What is 7*8?"))
                .isEqualTo("sha1:11d5c4a431270d29"); // golden value (Python hashlib): fixed across JVMs and runs
        assertThat(valid("{\"prompt\": \"What is 7*9?\", \"answer\": 63}").id()).isNotEqualTo(first.id());
    }

    @Test
    void takesExplicitStringAndIntegerIds() {
        assertThat(valid("{\"id\": \"gsm-17\", \"prompt\": \"a\", \"answer\": 1}")
                        .id())
                .isEqualTo("gsm-17");
        assertThat(valid("{\"id\": 17, \"prompt\": \"a\", \"answer\": 1}").id()).isEqualTo("17");
    }

    @Test
    void usesTheDefaultTaskWhenTheRecordHasNone() {
        assertThat(valid("{\"prompt\": \"a\", \"answer\": 1}").task()).isEqualTo("jsonl");
        assertThat(valid("{\"prompt\": \"a\", \"answer\": 1, \"task\": null}").task())
                .isEqualTo("jsonl");
        assertThat(valid("{\"prompt\": \"a\", \"answer\": 1, \"task\": \"sort\"}")
                        .task())
                .isEqualTo("sort");
    }

    @Test
    void blankPromptsAreLeftToTheValidator() {
        assertThat(valid("{\"prompt\": \"   \", \"answer\": 1}").prompt()).isEqualTo("   ");
    }

    @Test
    void rejectsBadConfiguration() {
        assertThatThrownBy(() -> new FieldMapping("id", "text", "text", "task")).hasMessageContaining("distinct");
        assertThatThrownBy(() -> new FieldMapping("id", " ", "answer", "task")).hasMessageContaining("blank");
        assertThatThrownBy(() -> new ProblemParser(FieldMapping.defaults(), "")).hasMessageContaining("default task");
    }
}
