package io.rollstream.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesTest {

    @TempDir
    Path dir;

    @Test
    void readLeavesOutALineStillBeingWrittenAndSkipsBlankLines() throws IOException {
        Path file = write("{\"step\":0}\n\n{\"step\":1}\n{\"step\":");
        assertThat(steps(JsonLines.read(file))).containsExactly(0L, 1L);
    }

    @Test
    void aLineThatIsNotJsonNamesTheFileAndLine() throws IOException {
        Path file = write("{\"step\":0}\nnot json\n");
        assertThatThrownBy(() -> JsonLines.read(file)).hasMessageContaining(file + " line 2 is not JSON");
    }

    @Test
    void tailFromEndReturnsOnlyAppendedLinesOnceComplete() throws IOException {
        Path file = write("{\"step\":0}\n{\"step\":1");
        JsonLines.Tail tail = JsonLines.Tail.fromEnd(file);
        assertThat(tail.poll()).as("the half-written line is not complete yet").isEmpty();
        append(file, "}\n{\"step\":2}\n");
        assertThat(steps(tail.poll()))
                .as("the line being written when the tail started counts once complete")
                .containsExactly(1L, 2L);
        assertThat(tail.poll()).isEmpty();
    }

    @Test
    void tailKeepsACharacterSplitAcrossPollsWhole() throws IOException {
        Path file = dir.resolve("rollouts.jsonl");
        byte[] line = "{\"text\":\"ü\"}\n".getBytes(StandardCharsets.UTF_8);
        int split = 10; // inside the two bytes of ü
        Files.write(file, Arrays.copyOf(line, split));
        JsonLines.Tail tail = JsonLines.Tail.fromStart(file);
        assertThat(tail.poll()).isEmpty();
        Files.write(file, Arrays.copyOfRange(line, split, line.length), StandardOpenOption.APPEND);
        assertThat(tail.poll())
                .singleElement()
                .satisfies(n -> assertThat(n.path("text").asText()).isEqualTo("ü"));
    }

    @Test
    void tailGoesOnFromTheNewEndOfAFileCutBackByARestore() throws IOException {
        Path file = write("{\"step\":0}\n{\"step\":1}\n{\"step\":2}\n");
        JsonLines.Tail tail = JsonLines.Tail.fromStart(file);
        assertThat(steps(tail.poll())).containsExactly(0L, 1L, 2L);
        Files.writeString(file, "{\"step\":0}\n");
        assertThat(tail.poll()).isEmpty();
        append(file, "{\"step\":1}\nnot json\n");
        assertThatThrownBy(tail::poll)
                .as("line numbers count from the file's start again")
                .hasMessageContaining("line 3 is not JSON");
    }

    private Path write(String text) throws IOException {
        return Files.writeString(dir.resolve("metrics.jsonl"), text);
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardOpenOption.APPEND);
    }

    private static List<Long> steps(List<JsonNode> lines) {
        return lines.stream().map(n -> n.path("step").asLong()).toList();
    }
}
