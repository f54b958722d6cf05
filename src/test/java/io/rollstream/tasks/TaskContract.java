package io.rollstream.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.stream.LongStream;

/** Checks the invariants every {@link Task} promises, shared by the per-task tests. */
final class TaskContract {

    static final int SAMPLES = 2_000;

    private TaskContract() {}

    /** Runs every contract check on tasks built by {@code bySeed} for one fixed difficulty. */
    static void check(LongFunction<Task> bySeed) {
        isDeterministicAndOrderIndependent(bySeed);
        seedsProduceDifferentProblems(bySeed);
        respectsAlphabetAndLengthBounds(bySeed.apply(7));
        referenceAnswersScoreOne(bySeed.apply(7));
        idsAreUniqueAndNameTheTask(bySeed);
        rejectsNegativeIndex(bySeed.apply(7));
    }

    private static void isDeterministicAndOrderIndependent(LongFunction<Task> bySeed) {
        Task forward = bySeed.apply(42);
        List<Problem> inOrder =
                LongStream.range(0, 200).mapToObj(forward::problem).toList();
        Task backward = bySeed.apply(42);
        List<Problem> reversed = new ArrayList<>();
        for (long i = 199; i >= 0; i--) {
            reversed.add(0, backward.problem(i));
        }
        assertThat(reversed).isEqualTo(inOrder);
        assertThat(forward.problem(123)).isEqualTo(inOrder.get(123)).isEqualTo(forward.problem(123));
        assertThat(forward.problem(Long.MAX_VALUE)).isEqualTo(bySeed.apply(42).problem(Long.MAX_VALUE));
    }

    private static void seedsProduceDifferentProblems(LongFunction<Task> bySeed) {
        Task a = bySeed.apply(1);
        Task b = bySeed.apply(2);
        long differing = LongStream.range(0, 100)
                .filter(i -> !a.problem(i).prompt().equals(b.problem(i).prompt()))
                .count();
        assertThat(differing).as("problems differing between seeds 1 and 2").isGreaterThan(50);
    }

    private static void respectsAlphabetAndLengthBounds(Task task) {
        Set<Integer> alphabet = new HashSet<>();
        task.alphabet().codePoints().forEach(alphabet::add);
        for (long i = 0; i < SAMPLES; i++) {
            Problem p = task.problem(i);
            assertThat(p.task()).isEqualTo(task.name());
            assertThat(p.prompt()).endsWith("=").hasSizeLessThanOrEqualTo(task.maxPromptChars());
            assertThat(p.answer())
                    .isNotEmpty()
                    .isEqualTo(p.answer().strip())
                    .hasSizeLessThanOrEqualTo(task.maxAnswerChars());
            (p.prompt() + p.answer())
                    .codePoints()
                    .forEach(cp -> assertThat(alphabet)
                            .as("alphabet of %s contains %s from %s", task.name(), Character.toString(cp), p)
                            .contains(cp));
        }
    }

    private static void referenceAnswersScoreOne(Task task) {
        for (long i = 0; i < 200; i++) {
            Problem p = task.problem(i);
            assertThat(task.verifier().score(p.answer(), p.answer())).isEqualTo(1.0);
            assertThat(task.verifier().score(" " + p.answer() + "\n", p.answer()))
                    .isEqualTo(1.0);
        }
    }

    private static void idsAreUniqueAndNameTheTask(LongFunction<Task> bySeed) {
        Set<String> ids = new HashSet<>();
        for (long seed = 0; seed < 3; seed++) {
            Task task = bySeed.apply(seed);
            for (long i = 0; i < 300; i++) {
                String id = task.problem(i).id();
                assertThat(id).startsWith(task.name());
                assertThat(ids.add(id)).as("id %s is unique", id).isTrue();
            }
        }
    }

    private static void rejectsNegativeIndex(Task task) {
        assertThatThrownBy(() -> task.problem(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }
}
