package io.rollstream.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.tasks.ArithmeticTask.Operators;
import java.math.BigInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArithmeticTaskTest {

    private static final Pattern PROMPT = Pattern.compile("(0|[1-9][0-9]*)([+-])(0|[1-9][0-9]*)=");

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 9})
    void keepsTheTaskContract(int difficulty) {
        TaskContract.check(seed -> new ArithmeticTask(seed, difficulty));
        TaskContract.check(seed -> new ArithmeticTask(seed, difficulty, Operators.PLUS_MINUS));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 9})
    void additionAnswersAreCorrectAndOperandsUseTheFullRange(int difficulty) {
        ArithmeticTask task = new ArithmeticTask(11, difficulty);
        int longestOperand = 0;
        for (long i = 0; i < TaskContract.SAMPLES; i++) {
            Problem p = task.problem(i);
            Matcher m = PROMPT.matcher(p.prompt());
            assertThat(m.matches()).as(p.prompt()).isTrue();
            assertThat(m.group(2)).isEqualTo("+");
            assertThat(m.group(1).length()).isLessThanOrEqualTo(difficulty);
            assertThat(m.group(3).length()).isLessThanOrEqualTo(difficulty);
            longestOperand = Math.max(
                    longestOperand, Math.max(m.group(1).length(), m.group(3).length()));
            assertThat(p.answer())
                    .isEqualTo(new BigInteger(m.group(1))
                            .add(new BigInteger(m.group(3)))
                            .toString());
        }
        assertThat(longestOperand).isEqualTo(difficulty);
    }

    @Test
    void mixedOperatorsProduceCorrectDifferencesIncludingNegatives() {
        ArithmeticTask task = new ArithmeticTask(5, 2, Operators.PLUS_MINUS);
        int subtractions = 0;
        int negatives = 0;
        for (long i = 0; i < TaskContract.SAMPLES; i++) {
            Problem p = task.problem(i);
            Matcher m = PROMPT.matcher(p.prompt());
            assertThat(m.matches()).as(p.prompt()).isTrue();
            BigInteger a = new BigInteger(m.group(1));
            BigInteger b = new BigInteger(m.group(3));
            BigInteger expected = m.group(2).equals("+") ? a.add(b) : a.subtract(b);
            assertThat(p.answer()).isEqualTo(expected.toString());
            subtractions += m.group(2).equals("-") ? 1 : 0;
            negatives += p.answer().startsWith("-") ? 1 : 0;
        }
        assertThat(subtractions).isBetween(TaskContract.SAMPLES / 3, 2 * TaskContract.SAMPLES / 3);
        assertThat(negatives).isPositive();
        assertThat(task.alphabet()).contains("-");
        assertThat(new ArithmeticTask(5, 2).alphabet()).doesNotContain("-");
    }

    @Test
    void sizesFollowTheDifficulty() {
        ArithmeticTask task = new ArithmeticTask(0, 4);
        assertThat(task.maxPromptChars()).isEqualTo(10);
        assertThat(task.maxAnswerChars()).isEqualTo(5);
        assertThat(task.verifier().name()).isEqualTo(NumericMatchVerifier.NAME);
        assertThat(task.problem(0).id()).isEqualTo("arithmetic[+]/d4/s0/0");
    }

    @Test
    void rejectsDifficultyOutsideItsRange() {
        assertThatThrownBy(() -> new ArithmeticTask(0, 0)).hasMessageContaining("[1, 9]");
        assertThatThrownBy(() -> new ArithmeticTask(0, 10)).hasMessageContaining("[1, 9]");
    }

    @Test
    void operatorsAreParsedFromTheirSymbols() {
        assertThat(Operators.fromSymbols("+")).isEqualTo(Operators.PLUS);
        assertThat(Operators.fromSymbols("+-")).isEqualTo(Operators.PLUS_MINUS);
        assertThatThrownBy(() -> Operators.fromSymbols("*"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("+-");
    }
}
