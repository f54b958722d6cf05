package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.config.ConfigLoader;
import io.rollstream.config.RunConfig;
import io.rollstream.eval.EvalSpec;
import io.rollstream.tasks.Problem;
import io.rollstream.tasks.Task;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The run's training problems and its held-out evaluation never share a prompt. */
class PlanFactoryTaskTest {

    @Test
    void theTrainingTaskLeavesOutEveryHeldOutPrompt() {
        RunConfig config = ConfigLoader.parse(
                "data: {source: task, task: arithmetic, difficulty: 2}\neval: {problems: 300, every_steps: 50}\n");
        EvalSpec eval = PlanFactory.eval(config);
        Set<String> heldOut =
                eval.heldOutProblems().stream().map(Problem::prompt).collect(Collectors.toSet());
        Task training = PlanFactory.trainingTask(config);
        Set<String> trained = LongStream.range(0, 20_000)
                .mapToObj(i -> training.problem(i).prompt())
                .collect(Collectors.toSet());
        assertThat(trained).doesNotContainAnyElementsOf(heldOut);
        assertThat(trained.size()).isGreaterThan(8_000); // the rest of the 10,000 sums are still drawn
    }
}
