package io.rollstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rollstream.config.ConfigLoader;
import io.rollstream.config.RunConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineBenchmarkTest {

    private static final Path QUICKSTART = Path.of("configs/quickstart.yaml");

    @TempDir
    Path dir;

    @Test
    void theGenerationRunDropsEveryUntrainedGroupAndNeverWaitsForTheLearner() {
        RunConfig user = ConfigLoader.load(QUICKSTART);
        RunConfig bench = withOverrides(PipelineBenchmark.generationOverrides(user, 2));

        assertThat(bench.buffer().zeroAdvantageFilter()).isTrue();
        // With nothing useful coming back, (max_async_level + 1) batches plus the oversampling headroom
        // (none at factor 1) stay in flight: three passes of max_batch_rows (256 rows = 32 groups of 8
        // here; 8 per step).
        assertThat(bench.problemsPerBatch()).isEqualTo(8);
        assertThat(bench.async().maxAsyncLevel()).isEqualTo(11);
        assertThat((bench.async().maxAsyncLevel() + 1) * bench.problemsPerBatch())
                .isEqualTo(96);
        assertThat(bench.job().maxMinutes()).isEqualTo(2);
        assertThat(bench.sft().steps()).isZero();
        assertThat(bench.model().init()).isNull();
        assertThat(bench.eval().everySteps()).isZero();
        assertThat(bench.learner().optimizer().learningRate())
                .as("the policy never drifts from the engine loop's")
                .isZero();
        // What is measured stays the user's: model, batch rows, sampling.
        assertThat(bench.model()).isEqualTo(user.model());
        assertThat(bench.rollout()).isEqualTo(user.rollout());
    }

    @Test
    void theLearnerRunKeepsEveryGroupWithTheGateOpenForTheWholeRun() {
        RunConfig user = ConfigLoader.load(QUICKSTART);
        RunConfig bench = withOverrides(PipelineBenchmark.learnerOverrides(7));

        assertThat(bench.job().maxSteps()).isEqualTo(7);
        assertThat(bench.async().maxAsyncLevel()).isEqualTo(7);
        assertThat(bench.async().maxOffPolicySteps()).isEqualTo(7);
        assertThat(bench.buffer().zeroAdvantageFilter()).isFalse();
        assertThat(bench.buffer().onlineDifficultyFiltering()).isFalse();
        assertThat(bench.buffer().batchSize()).isEqualTo(user.buffer().batchSize());
        assertThat(bench.learner()).isEqualTo(user.learner());
    }

    private static RunConfig withOverrides(List<String> overrides) {
        return ConfigLoader.load(QUICKSTART, overrides);
    }

    @Test
    void learnerBusyFractionCountsRlStepsAfterTheFirst() throws Exception {
        Path metrics = dir.resolve("metrics.jsonl");
        Files.write(
                metrics,
                List.of(
                        "{\"phase\":\"sft\",\"step\":3,\"step_time_s\":9.0}",
                        "{\"phase\":\"rl\",\"step\":0,\"step_time_s\":1.0,\"learner_wait_s\":50.0}",
                        "{\"phase\":\"rl\",\"step\":1,\"step_time_s\":0.9,\"learner_wait_s\":0.1}",
                        "{\"phase\":\"rl\",\"step\":2,\"step_time_s\":0.6,\"learner_wait_s\":0.4}"));

        assertThat(PipelineBenchmark.learnerBusyFraction(metrics)).isCloseTo(0.75, within(1e-9));
    }

    @Test
    void watcherCountsOnlyCompleteLinesSeenAfterItsFirstPoll() throws Exception {
        Path rollouts = dir.resolve("rollouts.jsonl");
        PipelineBenchmark.RolloutWatcher watcher = new PipelineBenchmark.RolloutWatcher(rollouts, 0);
        watcher.poll(); // no file yet
        append(rollouts, line(100) + line(100)); // the first pass: starts the clock, not counted
        watcher.poll();
        assertThat(watcher.groups()).isEqualTo(2);
        assertThatThrownBy(watcher::steadyTokensPerSecond).hasMessageContaining("nothing to time");

        Thread.sleep(20);
        append(rollouts, line(10) + line(20) + "{\"completion_tokens\":");
        watcher.poll();
        assertThat(watcher.groups()).isEqualTo(4);
        Thread.sleep(20);
        append(rollouts, "30}\n");
        watcher.poll();

        assertThat(watcher.groups()).isEqualTo(5);
        double rate = watcher.steadyTokensPerSecond();
        // 60 tokens over at least the 40 ms slept between the first and the last poll.
        assertThat(rate).isPositive().isLessThanOrEqualTo(60 / 0.040);
    }

    @Test
    void watcherStartsTheClockOnlyAfterTheWarmUp() throws Exception {
        Path rollouts = dir.resolve("warm.jsonl");
        PipelineBenchmark.RolloutWatcher watcher = new PipelineBenchmark.RolloutWatcher(rollouts, 50);
        append(rollouts, line(100));
        watcher.poll(); // first groups: the warm-up begins
        append(rollouts, line(100));
        watcher.poll(); // still warming up: not counted, no clock
        Thread.sleep(60);
        append(rollouts, line(100));
        watcher.poll(); // the clock starts here; this poll's line came before it
        assertThatThrownBy(watcher::steadyTokensPerSecond).hasMessageContaining("nothing to time");
        Thread.sleep(20);
        append(rollouts, line(7));
        watcher.poll();
        assertThat(watcher.groups()).isEqualTo(4);
        assertThat(watcher.steadyTokensPerSecond()).isPositive().isLessThanOrEqualTo(7 / 0.020);
    }

    private static String line(int tokens) {
        return "{\"group_id\":\"g\",\"completion_tokens\":" + tokens + "}\n";
    }

    private static void append(Path file, String text) throws Exception {
        Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
