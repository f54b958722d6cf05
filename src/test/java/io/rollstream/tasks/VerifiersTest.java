package io.rollstream.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VerifiersTest {

    private final Verifier exact = Verifiers.byName("exact_match");
    private final Verifier numeric = Verifiers.byName("numeric_match");
    private final Verifier lastNumber = Verifiers.byName("last_number_match");

    @Test
    void byNameFindsEachVerifierAndListsNamesForUnknownOnes() {
        assertThat(exact).isInstanceOf(ExactMatchVerifier.class);
        assertThat(numeric).isInstanceOf(NumericMatchVerifier.class);
        assertThat(lastNumber).isInstanceOf(LastNumberMatchVerifier.class);
        assertThat(Verifiers.names())
                .containsExactly("exact_match", "last_number_match", "math_answer", "numeric_match");
        assertThatThrownBy(() -> Verifiers.byName("fuzzy"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fuzzy")
                .hasMessageContaining("exact_match")
                .hasMessageContaining("numeric_match")
                .hasMessageContaining("last_number_match");
    }

    @ParameterizedTest(name = "exact_match(''{0}'', ''{1}'') = {2}")
    @CsvSource(
            delimiter = '|',
            ignoreLeadingAndTrailingWhitespace = false,
            value = {
                "dcba|dcba|1",
                "  dcba \t|dcba|1",
                "dcba| dcba |1",
                "dc ba|dcba|0",
                "DCBA|dcba|0",
                "dcb|dcba|0",
                "''|dcba|0",
                "'   '|''|1",
            })
    void exactMatch(String completion, String answer, double expected) {
        assertThat(exact.score(completion, answer)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "numeric_match(''{0}'', ''{1}'') = {2}")
    @CsvSource(
            delimiter = '|',
            ignoreLeadingAndTrailingWhitespace = false,
            value = {
                "85|85|1",
                " 85\t|85|1",
                "085|85|1",
                "0085|085|1",
                "+5|5|1",
                "5|+5|1",
                "-36|-36|1",
                "  -036 |-36|1",
                "36|-36|0",
                "-0|0|1",
                "84|85|0",
                "''|85|0",
                "'   '|85|0",
                "85 apples|85|0",
                "8 5|85|0",
                "85.0|85|0",
                "--85|85|0",
                "- 85|-85|0",
                "x85|85|0",
                "١٢|12|0",
                "123456789012345678901234567890|123456789012345678901234567890|1",
            })
    void numericMatch(String completion, String answer, double expected) {
        assertThat(numeric.score(completion, answer)).isEqualTo(expected);
    }

    @Test
    void surroundingNewlinesAndUnicodeSpacesAreStripped() {
        assertThat(exact.score("\n dcba\r\n", "dcba")).isEqualTo(1.0);
        assertThat(numeric.score("\u2003-36\n", "-36")).isEqualTo(1.0);
        assertThat(lastNumber.score("so:\n42\n", "42")).isEqualTo(1.0);
    }

    @Test
    void numericMatchRejectsANonIntegerReference() {
        assertThatThrownBy(() -> numeric.score("85", "eighty-five"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("eighty-five");
    }

    @ParameterizedTest(name = "last_number_match(''{0}'', ''{1}'') = {2}")
    @CsvSource(
            delimiter = '|',
            ignoreLeadingAndTrailingWhitespace = false,
            value = {
                "The answer is 42.|42|1",
                "First 7, then 12, finally 42|42|1",
                "42 is wrong, it is 41|42|0",
                "Total: 1,234 dollars|1234|1",
                "Total: 1,234,567|1,234,567|1",
                "It costs 3.50|3.5|1",
                "It costs $1,234.56.|1234.56|1",
                "x = -3|-3|1",
                "x=-3|-3|1",
                "from 5-3|3|1",
                "+5|5|1",
                "  0042  |42|1",
                "12,34|34|1",
                "1,2345|2345|1",
                "no number here|42|0",
                "''|42|0",
                "garbage !@#$%^&*()|42|0",
                "42abc|42|1",
                "3.14.15|15|1",
                "2.5|2|0",
            })
    void lastNumberMatch(String completion, String answer, double expected) {
        assertThat(lastNumber.score(completion, answer)).isEqualTo(expected);
    }

    @Test
    void lastNumberMatchRejectsANonNumericReference() {
        assertThatThrownBy(() -> lastNumber.score("42", "forty-two"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("forty-two");
    }

    @Test
    void scoresStayInTheUnitInterval() {
        String[] completions = {"", "1", "-1", "abc", "1,000", " 7 ", "\u0000\uFFFF", "9".repeat(500)};
        for (Verifier verifier : new Verifier[] {exact, numeric, lastNumber}) {
            for (String completion : completions) {
                assertThat(verifier.score(completion, "7")).isBetween(0.0, 1.0);
            }
        }
    }
}
