package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollstream.config.ConfigLoader;
import org.junit.jupiter.api.Test;

/** When the rollout stage keeps a problem's state: only when the problem can reach it again. */
class ProblemsRecurTest {

    private static boolean recur(String data) {
        return PlanFactory.problemsRecur(ConfigLoader.parse("data: " + data).data());
    }

    @Test
    void freshTaskProblemsAndAFixedSetReadOnceNeverComeBack() {
        assertThat(recur("{source: task, max_problems: 0}")).isFalse();
        assertThat(recur("{source: task, max_problems: 100, epochs: 1}")).isFalse();
        assertThat(recur("{source: task, max_problems: 100, epochs: 3}")).isTrue();
    }

    @Test
    void jsonlProblemsCanAlwaysComeBack() {
        assertThat(recur("{source: jsonl, path: data.jsonl}"))
                .as("a file may repeat a record")
                .isTrue();
        assertThat(recur("{source: jsonl, path: dir, watch: true}")).isTrue();
    }
}
