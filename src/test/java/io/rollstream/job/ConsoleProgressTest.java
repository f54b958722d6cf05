package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollstream.common.Json;
import io.rollstream.types.StepMetrics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

    private final List<String> lines = new ArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000_000);

    /** Step {@code index} (0-based, as metrics.jsonl has it) with reward {@code reward}, 2 s of wall time each. */
    private static StepMetrics step(long index, double reward) {
        return typed(line(index, reward));
    }

    private static StepMetrics typed(ObjectNode line) {
        try {
            return Json.mapper().treeToValue(line, StepMetrics.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The metrics.jsonl line of {@link #step}. */
    private static ObjectNode line(long index, double reward) {
        ObjectNode m = Json.mapper().createObjectNode();
        m.put("phase", "rl");
        m.put("step", index);
        m.put("policy_version", index + 1);
        m.put("reward_mean", reward);
        m.put("staleness_mean", 1.0);
        m.put("groups_trained", 2);
        m.put("groups_scored", 4);
        m.put("rollout_tokens", 1000);
        m.put("learner_wait_s", 0.5);
        m.put("step_time_s", 1.5);
        m.put("total_generation_efficiency", 0.5);
        return m;
    }

    private ConsoleProgress progress(PrintWriter terminal, long maxSteps, int logEvery, double maxMinutes) {
        return new ConsoleProgress(lines::add, terminal, maxSteps, logEvery, maxMinutes, now::get);
    }

    @Test
    void printsOneLineEveryLogEveryStepsWithTheAveragesOverThem() {
        ConsoleProgress progress = progress(null, 100, 10, 0);
        for (int i = 0; i < 25; i++) {
            now.addAndGet(2_000);
            progress.step(step(i, i < 10 ? 0.0 : 1.0));
        }
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0))
                .startsWith("rl   step   10/100 (10-step avg) | reward 0.000")
                .contains("kept 20/40 groups", "500 rollout tok/s", "2.00 s/step", "ETA 3m00s");
        assertThat(lines.get(1)).startsWith("rl   step   20/100 (10-step avg) | reward 1.000");
    }

    @Test
    void theLastStepAndEveryEvaluationGetALine() {
        ConsoleProgress progress = progress(null, 12, 10, 0);
        for (int i = 0; i < 12; i++) {
            ObjectNode m = line(i, 0.5);
            if (i == 4) {
                m.put("eval_accuracy", 0.25);
            }
            if (i == 9) { // a sampled evaluation: the smallest and largest k
                m.put("eval_accuracy", 0.5)
                        .put("eval_pass_at_1", 0.375)
                        .put("eval_pass_at_2", 0.5)
                        .put("eval_pass_at_4", 0.625);
            }
            progress.step(typed(m));
        }
        assertThat(lines)
                .extracting(l -> l.substring(0, 16))
                .containsExactly("rl   step    5/1", "rl   step   10/1", "rl   step   12/1");
        assertThat(lines.get(0))
                .contains("(5-step avg)", "held-out accuracy 25.0%")
                .doesNotContain("pass@");
        assertThat(lines.get(1))
                .contains("held-out accuracy 50.0% pass@1 37.5% pass@4 62.5%")
                .doesNotContain("pass@2");
        assertThat(lines.get(2)).contains("(2-step avg)");
    }

    @Test
    void theEtaNeverExceedsWhatTheTimeLimitLeaves() {
        ConsoleProgress progress = progress(null, 1000, 1, 8);
        now.addAndGet(60_000); // a minute per step: 999 minutes to go at this pace, 7 under the limit
        progress.step(step(0, 0));
        assertThat(lines.get(0)).contains("ETA 7m00s (time limit)");
    }

    @Test
    void theEtaCountsOnlyTheStepsThisProcessDid() {
        ConsoleProgress progress = progress(null, 200, 1, 0);
        now.addAndGet(10_000);
        progress.step(step(99, 0)); // resumed at step 100: one step in 10 s, 100 to go
        assertThat(lines.get(0)).contains("step  100/200", "ETA 16m40s");
    }

    @Test
    void aTerminalGetsABarThatMessagesPrintAboveAndThatIsClearedAtTheEnd() {
        StringWriter screen = new StringWriter();
        ConsoleProgress progress = progress(new PrintWriter(screen), 4, 10, 0);
        progress.step(step(0, 0));
        assertThat(lines).isEmpty();
        assertThat(screen.toString()).contains("[######..................] 1/4 steps");
        progress.accept("a message");
        assertThat(lines).containsExactly("a message");
        assertThat(screen.toString()).endsWith("1/4 steps | 0s elapsed | ETA 0s");
        progress.close();
        int end = screen.toString().length();
        progress.accept("after the run");
        assertThat(screen.toString()).hasSize(end).endsWith("\r\033[2K");
    }

    @Test
    void withoutATerminalNothingButLinesIsPrinted() {
        ConsoleProgress progress = progress(null, 4, 1, 0);
        progress.step(step(0, 0));
        progress.close();
        assertThat(lines).hasSize(1).allSatisfy(l -> assertThat(l).doesNotContain("\r", "\033", "["));
    }

    @Test
    void durationsReadAsAPersonWritesThem() {
        assertThat(ConsoleProgress.duration(42)).isEqualTo("42s");
        assertThat(ConsoleProgress.duration(372)).isEqualTo("6m12s");
        assertThat(ConsoleProgress.duration(3720)).isEqualTo("1h02m");
    }

    @Test
    void logEveryMustBePositive() {
        assertThatThrownBy(() -> progress(null, 4, 0, 0)).hasMessageContaining("logEvery");
    }
}
