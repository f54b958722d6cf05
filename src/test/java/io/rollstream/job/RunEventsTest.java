package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** events.jsonl: appended only, one event per line, a line torn by a kill never merges with the next. */
class RunEventsTest {

    @TempDir
    Path dir;

    @Test
    void eventsAreAppendedWithTheirTimeAndFieldsAndCounted() throws Exception {
        RunEvents events = new RunEvents(dir.resolve(RunEvents.FILE));
        assertThat(events.read()).isEmpty();
        assertThat(events.endOfPreviousAttempt()).isEqualTo("interruption");
        events.append(RunEvents.START, RunEvents.fields("phase", "rl", "job", "j1"));
        events.append(
                RunEvents.RESTART,
                RunEvents.fields("cause", "java.io.IOException: gone", "step", 7, "restored_checkpoint", null));
        events.append(RunEvents.RESTART, RunEvents.fields("cause", "x"));
        List<JsonNode> read = events.read();
        assertThat(read).extracting(e -> e.path("event").asText()).containsExactly("start", "restart", "restart");
        assertThat(read.get(1).path("step").asLong()).isEqualTo(7);
        assertThat(read.get(1).has("restored_checkpoint"))
                .as("null fields are left out")
                .isFalse();
        assertThat(read.get(0).path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(events.count(RunEvents.RESTART)).isEqualTo(2);
        assertThat(events.endOfPreviousAttempt())
                .as("the last event was no stop")
                .isEqualTo("interruption");
        events.append(RunEvents.STOP, RunEvents.fields("phase", "rl"));
        assertThat(events.endOfPreviousAttempt()).isEqualTo("stop");
    }

    @Test
    void aLineTornByAKillIsSkippedAndTheNextEventStartsOnItsOwnLine() throws Exception {
        Path file = dir.resolve(RunEvents.FILE);
        RunEvents events = new RunEvents(file);
        events.append(RunEvents.START, RunEvents.fields("phase", "sft"));
        Files.writeString(
                file,
                "{\"time\":\"2026-01-01T00:00:00Z\",\"event\":\"sto",
                StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        events.append(RunEvents.RESUME, RunEvents.fields("phase", "sft", "step", 20));
        assertThat(Files.readAllLines(file)).hasSize(3);
        assertThat(events.read()).extracting(e -> e.path("event").asText()).containsExactly("start", "resume");
    }
}
