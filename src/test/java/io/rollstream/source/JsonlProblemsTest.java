package io.rollstream.source;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.tasks.Problem;
import io.rollstream.types.InvalidRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSONL source in a local Flink job (generic types off): epochs in sequence, file and line
 * order, refused lines with file, line and reason on the side output, directories in path order,
 * and a watched directory picking up new files.
 */
@Timeout(120)
class JsonlProblemsTest {

    /** The valid lines of data/problems.jsonl, in file order, as id:answer. */
    private static final List<String> VALID =
            List.of("p1:5", ProblemParser.derivedId("What is 7*8?") + ":56", "7:3", "p10:2.50");

    /** Its refused lines as line: reason. */
    private static final List<String> REFUSED = List.of(
            "4: not valid JSON: Unexpected end-of-input",
            "5: field 'prompt' must be a string, got integer",
            "6: missing field 'answer'",
            "7: expected a JSON object, got array",
            "9: field 'prompt' contains invalid UTF-8 (U+FFFD at index 3)");

    private static StreamExecutionEnvironment env() {
        return StreamExecutionEnvironment.createLocalEnvironment(
                1, Configuration.fromMap(Map.of("pipeline.generic-types", "false")));
    }

    private record Collected(List<Problem> problems, List<String> origins, List<InvalidRecord> invalid) {}

    private static Collected runBounded(JsonlSpec spec) throws Exception {
        StreamExecutionEnvironment env = env();
        JsonlProblems.Streams streams = JsonlProblems.stream(env, spec);
        CloseableIterator<SourcedProblem> problemIt = streams.problems().collectAsync();
        CloseableIterator<InvalidRecord> invalidIt = streams.invalid().collectAsync();
        env.execute("jsonl-problems-test");
        Collected c = new Collected(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        problemIt.forEachRemaining(read -> {
            c.problems().add(read.problem());
            c.origins().add(read.origin());
        });
        invalidIt.forEachRemaining(c.invalid()::add);
        return c;
    }

    @Test
    void readsTheFileOncePerEpochInLineOrderAndRefusesBrokenLines() throws Exception {
        Path file = Paths.get(getClass().getResource("/data/problems.jsonl").toURI());
        Collected c = runBounded(new JsonlSpec(file.toString(), false, 2, FieldMapping.defaults(), "jsonl"));

        List<String> twice = new ArrayList<>(VALID);
        twice.addAll(VALID);
        assertThat(c.problems()).extracting(p -> p.id() + ":" + p.answer()).containsExactlyElementsOf(twice);
        assertThat(c.problems())
                .extracting(Problem::task)
                .containsExactly("jsonl", "jsonl", "arithmetic", "jsonl", "jsonl", "jsonl", "arithmetic", "jsonl");
        assertThat(c.origins())
                .as("every problem keeps its file and line")
                .extracting(o -> o.substring(o.lastIndexOf(':') + 1))
                .containsExactly("1", "2", "8", "10", "1", "2", "8", "10");

        assertThat(c.invalid()).hasSize(2 * REFUSED.size());
        for (int epoch = 0; epoch < 2; epoch++) {
            for (int i = 0; i < REFUSED.size(); i++) {
                InvalidRecord r = c.invalid().get(epoch * REFUSED.size() + i);
                String[] expected = REFUSED.get(i).split(": ", 2);
                assertThat(r.source()).isEqualTo("file:" + file + ":" + expected[0]);
                assertThat(r.reason()).startsWith(expected[1]);
            }
        }
    }

    @Test
    void readsTheFilesOfADirectoryInPathOrder(@TempDir Path dir) throws Exception {
        Files.writeString(
                dir.resolve("part-b.jsonl"),
                "{\"id\": \"b1\", \"prompt\": \"b?\", \"answer\": 1}\n"
                        + "{\"id\": \"b2\", \"prompt\": \"b?\"}\n{\"id\": \"b3\", \"prompt\": \"b?\", \"answer\": 3}\n");
        Files.writeString(
                dir.resolve("part-a.jsonl"),
                "{\"id\": \"a1\", \"prompt\": \"a?\", \"answer\": 1}\n"
                        + "{\"id\": \"a2\", \"prompt\": \"a?\", \"answer\": 2}");
        Files.writeString(dir.resolve("part-c-empty.jsonl"), "");
        Files.writeString(dir.resolve(".part-d-in-progress.jsonl"), "{\"id\": \"hidden\", \"prompt\": \"h\"");

        Collected c = runBounded(new JsonlSpec(dir.toString(), false, 2, null, "jsonl"));

        assertThat(c.problems())
                .extracting(Problem::id)
                .containsExactly("a1", "a2", "b1", "b3", "a1", "a2", "b1", "b3");
        assertThat(c.invalid())
                .extracting(r -> r.source().substring(r.source().lastIndexOf('/') + 1) + " " + r.reason())
                .containsExactly("part-b.jsonl:2 missing field 'answer'", "part-b.jsonl:2 missing field 'answer'");
    }

    @Test
    void aSecondRecordWithTheSameIdAndOtherContentIsRefusedNamingTheFirst(@TempDir Path dir) throws Exception {
        Files.writeString(
                dir.resolve("a.jsonl"),
                "{\"id\": \"q1\", \"prompt\": \"1+1=\", \"answer\": 2}\n"
                        + "{\"id\": \"q2\", \"prompt\": \"2+2=\", \"answer\": 4}\n"
                        + "{\"id\": \"q1\", \"prompt\": \"3+3=\", \"answer\": 6}\n" // another problem under q1
                        + "{\"id\": \"q2\", \"prompt\": \"2+2=\", \"answer\": 4}\n"); // the same problem again
        Files.writeString(
                dir.resolve("b.jsonl"),
                "{\"id\": \"q2\", \"prompt\": \"2+2=\", \"answer\": 5}\n"
                        + "{\"prompt\": \"1+1=\", \"answer\": 2}\n{\"prompt\": \"1+1=\", \"answer\": 3}\n");

        Collected c = runBounded(new JsonlSpec(dir.toString(), false, 2, null, "jsonl"));

        String derived = ProblemParser.derivedId("1+1=");
        assertThat(c.problems())
                .as("each epoch: the claimants, and the same content again")
                .extracting(p -> p.id() + ":" + p.answer())
                .containsExactly("q1:2", "q2:4", "q2:4", derived + ":2", "q1:2", "q2:4", "q2:4", derived + ":2");
        assertThat(c.invalid()).as("in both epochs").hasSize(6);
        assertThat(c.invalid())
                .extracting(r -> r.source().substring(r.source().lastIndexOf('/') + 1) + " "
                        + r.reason().substring(0, r.reason().indexOf(" with ")))
                .containsOnly(
                        "a.jsonl:3 duplicate_id: id 'q1' was first read at file:" + dir + "/a.jsonl:1",
                        "b.jsonl:1 duplicate_id: id 'q2' was first read at file:" + dir + "/a.jsonl:2",
                        "b.jsonl:3 duplicate_id: id '" + derived + "' was first read at file:" + dir + "/b.jsonl:2");
    }

    @Test
    void aWatchedDirectoryPicksUpNewFiles(@TempDir Path dir) throws Exception {
        StreamExecutionEnvironment env = env();
        JsonlProblems.Streams streams =
                JsonlProblems.stream(env, new JsonlSpec(dir.toString(), true, 1, null, "jsonl"));
        CloseableIterator<SourcedProblem> problemIt = streams.problems().collectAsync();
        CloseableIterator<InvalidRecord> invalidIt = streams.invalid().collectAsync();
        JobClient job = env.executeAsync("jsonl-watch-test");
        try {
            moveIn(dir, "1.jsonl", "{\"id\": \"w1\", \"prompt\": \"?\", \"answer\": 1}\nnot json\n");
            assertThat(problemIt.next().problem().id()).isEqualTo("w1");
            assertThat(invalidIt.next().reason()).startsWith("not valid JSON:");
            moveIn(dir, "2.jsonl", "{\"id\": \"w2\", \"prompt\": \"?\", \"answer\": 2}\n");
            assertThat(problemIt.next().problem().id()).isEqualTo("w2");
            moveIn(dir, "3.jsonl", "{\"id\": \"w1\", \"prompt\": \"other?\", \"answer\": 1}\n");
            assertThat(invalidIt.next().reason())
                    .startsWith("duplicate_id: id 'w1' was first read at ")
                    .contains("1.jsonl:1 ");
        } finally {
            job.cancel().get();
            try {
                job.getJobExecutionResult().get(); // wait for the end before @TempDir goes away
            } catch (ExecutionException cancelled) {
                // expected: the job was cancelled (and its local cluster shut down)
            }
            problemIt.close();
            invalidIt.close();
        }
    }

    /** Writes a file under a hidden name, then renames it, so the source never sees it half-written. */
    private static void moveIn(Path dir, String name, String text) throws Exception {
        Path hidden = Files.writeString(dir.resolve("." + name), text, UTF_8);
        Files.move(hidden, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void specRefusesImpossibleSettings() {
        assertThatThrownBy(() -> new JsonlSpec("/data", true, 2, null, "jsonl"))
                .hasMessageContaining("data.watch")
                .hasMessageContaining("data.epochs");
        assertThatThrownBy(() -> new JsonlSpec("/data", false, 0, null, "jsonl"))
                .hasMessageContaining("data.epochs");
        assertThatThrownBy(() -> new JsonlSpec(" ", false, 1, null, "jsonl")).hasMessageContaining("data.path");
        assertThat(new JsonlSpec("/data", false, 1, null, "jsonl").fields()).isEqualTo(FieldMapping.defaults());
        assertThat(JsonlSpec.once("/data", "t").epochs()).isEqualTo(1);
    }
}
