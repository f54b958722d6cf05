package io.rollstream.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReverseTaskTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 10, 100})
    void keepsTheTaskContract(int difficulty) {
        TaskContract.check(seed -> new ReverseTask(seed, difficulty));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 8})
    void answersAreReversedPromptsWithLengthsInTheDocumentedRange(int difficulty) {
        ReverseTask task = new ReverseTask(3, difficulty);
        TreeSet<Integer> lengths = new TreeSet<>();
        for (long i = 0; i < TaskContract.SAMPLES; i++) {
            Problem p = task.problem(i);
            String text = p.prompt().substring(0, p.prompt().length() - 1);
            assertThat(text).matches("[a-z]+");
            assertThat(p.answer()).isEqualTo(new StringBuilder(text).reverse().toString());
            lengths.add(text.length());
        }
        assertThat(lengths.first()).isEqualTo(Math.max(1, difficulty - 2));
        assertThat(lengths.last()).isEqualTo(difficulty);
        assertThat(lengths).hasSize(difficulty - Math.max(1, difficulty - 2) + 1);
    }

    @Test
    void exampleFormatAndVerifier() {
        ReverseTask task = new ReverseTask(0, 6);
        assertThat(task.verifier().name()).isEqualTo(ExactMatchVerifier.NAME);
        assertThat(task.verifier().score("dcba", "dcba")).isEqualTo(1.0);
        assertThat(task.verifier().score("abcd", "dcba")).isZero();
        assertThat(task.maxPromptChars()).isEqualTo(7);
        assertThat(task.maxAnswerChars()).isEqualTo(6);
    }

    @Test
    void rejectsDifficultyOutsideItsRange() {
        assertThatThrownBy(() -> new ReverseTask(0, 0)).hasMessageContaining("[1, 100]");
        assertThatThrownBy(() -> new ReverseTask(0, 101)).hasMessageContaining("[1, 100]");
    }
}
