package io.rollstream.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class HeldOutExcludingTaskTest {

    private static final Task TRAINING = new ArithmeticTask(1, 2);
    private static final Task HELD_OUT = new ArithmeticTask(1_000_004, 2);

    private static Set<String> heldOutPrompts(int n) {
        return LongStream.range(0, n)
                .mapToObj(i -> HELD_OUT.problem(i).prompt())
                .collect(Collectors.toSet());
    }

    @Test
    void trainingNeverPosesAHeldOutPromptAndKeepsItsIdsAndOtherProblems() {
        Set<String> heldOut = heldOutPrompts(300);
        Task excluding = HeldOutExcludingTask.checkedAgainst(TRAINING, heldOut);
        int replaced = 0;
        for (long i = 0; i < 4000; i++) {
            Problem base = TRAINING.problem(i);
            Problem p = excluding.problem(i);
            assertThat(heldOut).doesNotContain(p.prompt());
            assertThat(p.id()).isEqualTo(base.id());
            assertThat(TRAINING.verifier().score(p.answer(), reference(p)))
                    .isEqualTo(1.0); // answer still matches its prompt
            if (heldOut.contains(base.prompt())) {
                replaced++;
            } else {
                assertThat(p).isEqualTo(base);
            }
        }
        // 300 of 10,000 sums held out (a few drawn twice): about 3 % of the training draws were held-out prompts.
        assertThat(replaced).isBetween(60, 180);
        assertThat(excluding.problem(17)).isEqualTo(excluding.problem(17));
    }

    /** The answer computed from the prompt itself ("a+b="). */
    private static String reference(Problem p) {
        String[] operands = p.prompt().substring(0, p.prompt().length() - 1).split("\\+");
        return Long.toString(Long.parseLong(operands[0]) + Long.parseLong(operands[1]));
    }

    @Test
    void aHeldOutSetCoveringMostOfTheSpaceIsRefusedWithTheFix() {
        Task oneDigit = new ArithmeticTask(1, 1); // 100 sums
        Set<String> most = LongStream.range(0, 300)
                .mapToObj(i -> new ArithmeticTask(9, 1).problem(i).prompt())
                .collect(Collectors.toSet());
        assertThatThrownBy(() -> HeldOutExcludingTask.checkedAgainst(oneDigit, most))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lower eval.problems or raise data.difficulty");
        Set<String> some = LongStream.range(0, 20)
                .mapToObj(i -> new ArithmeticTask(9, 1).problem(i).prompt())
                .collect(Collectors.toSet());
        Task excluding = HeldOutExcludingTask.checkedAgainst(oneDigit, some);
        for (long i = 0; i < 500; i++) {
            assertThat(some).doesNotContain(excluding.problem(i).prompt());
        }
    }
}
