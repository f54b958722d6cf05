package io.rollstream.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SortTaskTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 20, 100})
    void keepsTheTaskContract(int difficulty) {
        TaskContract.check(seed -> new SortTask(seed, difficulty));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 12})
    void answersAreTheSortedDigitsOfThePrompt(int difficulty) {
        SortTask task = new SortTask(9, difficulty);
        for (long i = 0; i < TaskContract.SAMPLES; i++) {
            Problem p = task.problem(i);
            String digits = p.prompt().substring(0, p.prompt().length() - 1);
            assertThat(digits).hasSize(difficulty).matches("[0-9]+");
            String sorted = digits.chars()
                    .sorted()
                    .mapToObj(c -> String.valueOf((char) c))
                    .collect(Collectors.joining());
            assertThat(p.answer()).isEqualTo(sorted);
        }
    }

    @Test
    void everyDigitOccurs() {
        SortTask task = new SortTask(1, 3);
        StringBuilder all = new StringBuilder();
        for (long i = 0; i < 200; i++) {
            all.append(task.problem(i).answer());
        }
        assertThat(all.chars().distinct().count()).isEqualTo(10);
    }

    @Test
    void exampleFormatAndVerifier() {
        SortTask task = new SortTask(0, 4);
        assertThat(task.verifier().score("1234", "1234")).isEqualTo(1.0);
        assertThat(task.verifier().score("1243", "1234")).isZero();
        assertThat(task.alphabet()).isEqualTo("0123456789=");
        assertThat(task.maxPromptChars()).isEqualTo(5);
        assertThat(task.maxAnswerChars()).isEqualTo(4);
    }

    @Test
    void rejectsDifficultyOutsideItsRange() {
        assertThatThrownBy(() -> new SortTask(0, 0)).hasMessageContaining("[1, 100]");
    }
}
