package io.rollstream.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Continuing an experiment's output directory: arms finished by earlier invocations (with other arm
 * lists) are read, not refused or repeated; anything else in the directory is refused. No arm trains
 * here: every arm named has finished, so the experiment only reads and reports.
 */
class AlgorithmsExperimentTest {

    @TempDir
    Path out;

    private static final Path CONFIG = Path.of("configs/quickstart.yaml");

    /** A finished arm: two RL steps, the second evaluated, and the experiment's wall-time file. */
    private void finishedArm(String name, double accuracy) throws Exception {
        Path dir = Files.createDirectories(out.resolve(name));
        Files.writeString(
                dir.resolve("metrics.jsonl"),
                "{\"phase\":\"rl\",\"step\":0,\"step_time_s\":1.0}\n"
                        + "{\"phase\":\"rl\",\"step\":1,\"step_time_s\":1.0,\"eval_accuracy\":" + accuracy + "}\n");
        Files.writeString(
                dir.resolve("experiment-wall.json"),
                "{\"wall_seconds\":3.0,\"load_before\":\"1 1 1\",\"load_after\":\"2 2 2\"}");
    }

    private List<AlgorithmArm> run(List<AlgorithmsExperiment.Arm> arms) throws Exception {
        Path start = Files.createDirectories(out.resolveSibling(out.getFileName() + "-start"))
                .resolve("start.rsckpt");
        Files.writeString(start, "not read: every arm has finished");
        PrintStream print = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return AlgorithmsExperiment.run(
                new AlgorithmsExperiment.Settings(CONFIG, List.of(), arms, 2, start, out, "test"), print);
    }

    @Test
    void armsFinishedByAnEarlierInvocationWithOtherArmsAreKept() throws Exception {
        finishedArm("dppo", 0.5);
        finishedArm("cispo", 0.75);
        Files.createDirectories(out.resolve("sft-llama"));
        Files.writeString(out.resolve("sft-llama/final-model.rsckpt"), "a finished SFT start");

        List<AlgorithmArm> arms = run(List.of(AlgorithmsExperiment.Arm.parse("cispo:learner.loss=cispo")));

        assertThat(arms).extracting(AlgorithmArm::name).containsExactly("cispo");
        assertThat(arms.get(0).finalAccuracy()).isEqualTo(0.75);
        assertThat(arms.get(0).load()).isEqualTo("1 1 1 / 2 2 2");
        assertThat(out.resolve("report/algorithms.md"))
                .content()
                .contains("| `cispo` |")
                .doesNotContain("`dppo`");
        assertThat(out.resolve("dppo/metrics.jsonl")).exists(); // untouched
    }

    @Test
    void foreignFilesAndUnfinishedForeignArmsAreRefused() throws Exception {
        finishedArm("cispo", 0.75);
        Files.createDirectories(out.resolve("half-done")); // no wall-time file: not a finished arm
        assertThatThrownBy(() -> run(List.of(AlgorithmsExperiment.Arm.parse("cispo:learner.loss=cispo"))))
                .hasMessageContaining("half-done")
                .hasMessageContaining("--out");
        Files.delete(out.resolve("half-done"));
        Files.writeString(out.resolve("notes.txt"), "someone else's");
        assertThatThrownBy(() -> run(List.of(AlgorithmsExperiment.Arm.parse("cispo:learner.loss=cispo"))))
                .hasMessageContaining("notes.txt");
        Files.delete(out.resolve("notes.txt"));
        Files.createDirectories(out.resolve("sft-other")); // an SFT start without its checkpoint
        assertThatThrownBy(() -> run(List.of(AlgorithmsExperiment.Arm.parse("cispo:learner.loss=cispo"))))
                .hasMessageContaining("sft-other");
    }
}
