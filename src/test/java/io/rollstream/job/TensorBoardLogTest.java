package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * metrics.jsonl as TensorBoard events, read back by an independent reader of the format
 * ({@code src/test/python/read_tfevents.py}: TFRecord framing with both CRC32Cs checked and the
 * Event protobuf parsed from the wire format, standard library only) when python3 is present.
 */
class TensorBoardLogTest {

    private static final Path READER = Path.of("src/test/python/read_tfevents.py");

    @TempDir
    Path dir;

    private Path metrics() {
        return dir.resolve("metrics.jsonl");
    }

    private Path events() {
        return dir.resolve("tensorboard");
    }

    private void append(String text) throws IOException {
        Files.writeString(
                metrics(), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** What the independent reader makes of the event files: exit code and its JSON (or its error). */
    record Read(int code, String output) {
        JsonNode json() throws IOException {
            return Json.mapper().readTree(output);
        }
    }

    private Read read() throws Exception {
        assumeTrue(python3(), "python3 is not installed");
        return read(events());
    }

    /** The reader's view of the event files in {@code dir}; null without python3. */
    static Read read(Path dir) throws Exception {
        if (!python3()) {
            return null;
        }
        Process p = new ProcessBuilder("python3", READER.toString(), dir.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Read(p.exitValue(), output);
    }

    private static boolean python3() {
        try {
            return new ProcessBuilder("python3", "--version").start().waitFor(20, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void everyNumberOfEveryLineReadsBackAtTheStepAPersonCounts() throws Exception {
        append("{\"phase\":\"sft\",\"step\":0,\"loss\":2.5,\"step_time_s\":0.125}\n");
        try (TensorBoardLog log = TensorBoardLog.follow(metrics(), events(), false)) {
            append("{\"phase\":\"rl\",\"step\":0,\"policy_version\":1,\"reward_mean\":0.25,\"loss\":-0.5,"
                    + "\"note\":\"text is no scalar\"}\n");
            log.poll();
            append("{\"phase\":\"rl\",\"step\":1,\"policy_version\":2,\"reward_mean\":0.75,\"loss\":1e-3,"
                    + "\"eval_accuracy\":0.5,\"eval_pass_at_1\":0.25,\"eval_pass_at_2\":0.375}\n"
                    + "{\"phase\":\"rl\",\"step\":2,\"rew"); // the last line still being written
        }
        JsonNode read = read().json();
        assertThat(read.path("file_versions")).extracting(JsonNode::asText).containsExactly("brain.Event:2");
        JsonNode scalars = read.path("scalars");
        assertThat(Json.mapper().convertValue(scalars, Map.class))
                .containsOnlyKeys(
                        "sft/loss",
                        "sft/step_time_s",
                        "rl/reward_mean",
                        "rl/loss",
                        "rl/eval_accuracy",
                        "rl/eval_pass_at_1",
                        "rl/eval_pass_at_2");
        assertThat(scalars.path("sft/loss").toString()).isEqualTo("[[1,2.5]]");
        assertThat(scalars.path("rl/reward_mean").toString()).isEqualTo("[[1,0.25],[2,0.75]]");
        assertThat(scalars.path("rl/loss").get(1).get(1).asDouble()).isEqualTo((double) 1e-3f);
        assertThat(scalars.path("rl/eval_accuracy").toString()).isEqualTo("[[2,0.5]]");
        assertThat(scalars.path("rl/eval_pass_at_2").toString()).isEqualTo("[[2,0.375]]");
    }

    @Test
    void aCutBackFileSendsTheRedoneStepsAgainAndAResumeStartsAtTheEnd() throws Exception {
        String first = "{\"phase\":\"rl\",\"step\":0,\"reward_mean\":0.25}\n";
        append(first + "{\"phase\":\"rl\",\"step\":1,\"reward_mean\":0.5}\n");
        try (TensorBoardLog log = TensorBoardLog.follow(metrics(), events(), false)) {
            log.poll();
            Files.writeString(metrics(), first, StandardCharsets.UTF_8); // a restore cut it back to step 0
            log.poll();
            append("{\"phase\":\"rl\",\"step\":1,\"reward_mean\":0.625}\n");
        }
        try (TensorBoardLog resumed = TensorBoardLog.follow(metrics(), events(), true)) {
            append("{\"phase\":\"rl\",\"step\":2,\"reward_mean\":1.0}\n");
        }
        try (Stream<Path> files = Files.list(events())) {
            assertThat(files).hasSize(2); // one per attempt
        }
        // the reader goes through the files in name order: both were made within the same second here;
        // after the cut the file is sent again from its start, and TensorBoard keeps the newest of each step
        assertThat(read().json().path("scalars").path("rl/reward_mean").toString())
                .isEqualTo("[[1,0.25],[2,0.5],[1,0.25],[2,0.625],[3,1.0]]");
    }

    /**
     * A resume cuts metrics.jsonl back (a torn line of the killed attempt included) and the file
     * grows past where it was before the next poll: the log notices and reads it again.
     */
    @Test
    void aFileCutBackThatGrewAgainIsReadAgainAndATornLineIsSkipped() throws Exception {
        String first = "{\"phase\":\"sft\",\"step\":0,\"loss\":2.0}\n";
        append(first + "{\"phase\":\"sft\",\"step\":1,\"loss\":1.5}\n{\"pha");
        try (TensorBoardLog log = TensorBoardLog.follow(metrics(), events(), true)) {
            Files.writeString(
                    metrics(),
                    first + "{\"phase\":\"sft\",\"step\":1,\"loss\":1.25}\n"
                            + "{\"phase\":\"sft\",\"step\":2,\"loss\":1.0}\n{torn}\n",
                    StandardCharsets.UTF_8);
            log.poll();
            append("{\"phase\":\"sft\",\"step\":3,\"loss\":0.5}\n");
        }
        assertThat(read().json().path("scalars").path("sft/loss").toString())
                .isEqualTo("[[1,2.0],[2,1.25],[3,1.0],[4,0.5]]");
    }

    @Test
    void anAttemptThatRecordsNothingLeavesNoFile() throws Exception {
        try (TensorBoardLog log = TensorBoardLog.follow(metrics(), events(), false)) {
            log.poll();
        }
        assertThat(events()).doesNotExist();
    }

    @Test
    void theReaderRefusesADamagedFileSoItsChecksMeanSomething() throws Exception {
        append("{\"phase\":\"rl\",\"step\":0,\"reward_mean\":0.25}\n");
        try (TensorBoardLog log = TensorBoardLog.follow(metrics(), events(), false)) {
            log.poll();
        }
        Path file;
        try (Stream<Path> files = Files.list(events())) {
            file = files.findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 6] ^= 0x01; // inside the last record's data
        Files.write(file, bytes);
        Read read = read();
        assertThat(read.code()).isEqualTo(1);
        assertThat(read.output()).contains("bad data CRC");
    }

    @Test
    void scalarsAreTheNumbersButTheLinesCoordinates() throws Exception {
        JsonNode line = Json.mapper()
                .readTree("{\"phase\":\"rl\",\"step\":4,\"policy_version\":5,\"a\":1,"
                        + "\"b\":\"x\",\"c\":true,\"d\":2.5}");
        assertThat(TensorBoardLog.scalars(line)).containsExactly(Map.entry("rl/a", 1.0), Map.entry("rl/d", 2.5));
    }
}
