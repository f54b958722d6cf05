package io.rollstream.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Tests for {@link MathAnswerVerifier} on hand-written GSM8K- and MATH-style cases. */
class MathAnswerVerifierTest {

    private final MathAnswerVerifier verifier = new MathAnswerVerifier();

    private double score(String completion, String reference) {
        return verifier.score(completion, reference);
    }

    @Test
    void isRegisteredByName() {
        assertThat(Verifiers.byName("math_answer")).isEqualTo(verifier);
    }

    @Test
    void readsTheAnswerAfterTheLastHashes() {
        String gsm8k =
                "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nAltogether she sold 48+24 = <<48+24=72>>72.\n#### 72";
        assertThat(score("She sold 48 + 24 clips.\n#### 72", gsm8k)).isEqualTo(1.0);
        assertThat(score("#### 71\nwait, no: #### 72", "72")).isEqualTo(1.0);
        assertThat(score("#### 72\nthen more text with 13", "72")).isEqualTo(1.0);
        assertThat(score("The answer is 72.", gsm8k))
                .as("no marker: the format is part of the task")
                .isZero();
        assertThat(score("#### 73", gsm8k)).isZero();
    }

    @Test
    void readsTheLastBoxedAnswerWithNestedBraces() {
        assertThat(score("So $x = \\boxed{\\frac{3}{4}}$.", "0.75")).isEqualTo(1.0);
        assertThat(score("\\boxed{1} no, \\boxed{2}", "2")).isEqualTo(1.0);
        assertThat(score("\\boxed{{x}^{2}+1}", "\\boxed{{x}^{2} + 2}"))
                .as("an expression is not its first number")
                .isZero();
        assertThat(score("\\boxed{{x}^{2}+1}", "{x}^{2}+1")).isEqualTo(1.0);
        assertThat(score("\\boxed{5} and an unclosed \\boxed{6", "5")).isEqualTo(1.0);
    }

    @Test
    void numbersAreNormalised() {
        for (String same :
                new String[] {"1000", "1,000", "1000.0", "$1,000", "1000.", "\\$1{,}000", "1000 dollars", "1,000.00"}) {
            assertThat(score("#### " + same, "1000")).as(same).isEqualTo(1.0);
            assertThat(score("#### 1000", same)).as("reference " + same).isEqualTo(1.0);
        }
        assertThat(score("#### 3/4", "0.75")).isEqualTo(1.0);
        assertThat(score("#### 6/8", "\\frac{3}{4}")).isEqualTo(1.0);
        assertThat(score("#### -5", "−5")).isEqualTo(1.0);
        assertThat(score("#### -5", "5")).isZero();
        assertThat(score("#### 25%", "25")).isEqualTo(1.0);
        assertThat(score("#### .5", "0.5")).isEqualTo(1.0);
        assertThat(score("#### 12,34", "1234"))
                .as("a malformed group is not a thousands separator")
                .isZero();
        assertThat(score("#### 0.1", "1/10")).isEqualTo(1.0);
    }

    @Test
    void nonNumericAnswersCompareAsText() {
        assertThat(score("\\boxed{B}", "B")).isEqualTo(1.0);
        assertThat(score("#### Paris.", "Paris")).isEqualTo(1.0);
        assertThat(score("#### London", "Paris")).isZero();
    }

    @Test
    void hostileInputNeverThrows() {
        assertThat(score("#### " + "9".repeat(100_000), "9")).isZero();
        assertThat(score("#### 1e999999999", "1"))
                .as("two numbers: compared as text")
                .isZero();
        assertThat(score("#### 1/0", "1")).isZero();
        assertThat(score("\\boxed{" + "{".repeat(50_000) + "1" + "}".repeat(50_000) + "}", "1"))
                .isZero();
        assertThat(score("\\boxed{".repeat(20_000), "1")).isZero();
        assertThat(score("####", "1")).isZero();
        assertThat(score("#### " + "1,000".repeat(10_000), "1000")).isZero();
    }

    @Test
    void aBlankReferenceIsADataError() {
        assertThatThrownBy(() -> score("#### 1", "  "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("math_answer");
        assertThatThrownBy(() -> score("#### 1", "text #### ")).isInstanceOf(IllegalArgumentException.class);
    }
}
