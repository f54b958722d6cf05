package io.rollstream.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.tasks.ArithmeticTask.Operators;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TasksTest {

    @Test
    void createsEachBuiltInTask() {
        assertThat(Tasks.create("arithmetic", 1, 3)).isEqualTo(new ArithmeticTask(1, 3, Operators.PLUS));
        assertThat(Tasks.create("reverse", 1, 3)).isEqualTo(new ReverseTask(1, 3));
        assertThat(Tasks.create("sort", 1, 3)).isEqualTo(new SortTask(1, 3));
        assertThat(Tasks.names()).containsExactly("arithmetic", "reverse", "sort");
    }

    @Test
    void arithmeticOperatorsComeFromOptions() {
        Task task = Tasks.create("arithmetic", 1, 2, Map.of(Tasks.OPERATORS, "+-"));
        assertThat(task).isEqualTo(new ArithmeticTask(1, 2, Operators.PLUS_MINUS));
        assertThatThrownBy(() -> Tasks.create("arithmetic", 1, 2, Map.of(Tasks.OPERATORS, "*/")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("*/");
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        assertThatThrownBy(() -> Tasks.create("multiply", 1, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiply")
                .hasMessageContaining("arithmetic")
                .hasMessageContaining("reverse")
                .hasMessageContaining("sort");
    }

    @Test
    void difficultyOutOfRangeNamesTheRange() {
        assertThatThrownBy(() -> Tasks.create("arithmetic", 1, 12))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[1, 9]")
                .hasMessageContaining("12");
    }

    @Test
    void unacceptedOptionsAreRejected() {
        assertThatThrownBy(() -> Tasks.create("sort", 1, 2, Map.of("operators", "+")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("operators");
        assertThatThrownBy(() -> Tasks.create("arithmetic", 1, 2, Map.of("operator", "+")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("operator'")
                .hasMessageContaining("[operators]");
    }

    @Test
    void tasksSurviveJavaSerializationWithIdenticalProblems() throws Exception {
        Task task = Tasks.create("arithmetic", 77, 3, Map.of(Tasks.OPERATORS, "+-"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(task);
            out.writeObject(task.verifier());
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            Task copy = (Task) in.readObject();
            Verifier verifier = (Verifier) in.readObject();
            assertThat(copy.problem(5)).isEqualTo(task.problem(5));
            assertThat(verifier.score("12", "12")).isEqualTo(1.0);
        }
    }

    @Test
    void problemRejectsNullFields() {
        assertThatThrownBy(() -> new Problem(null, "t", "p=", "a")).hasMessageContaining("id");
        assertThatThrownBy(() -> new Problem("i", "t", "p=", null)).hasMessageContaining("answer");
        assertThatThrownBy(() -> new Problem("i", "t", "", "a")).hasMessageContaining("empty prompt");
    }
}
