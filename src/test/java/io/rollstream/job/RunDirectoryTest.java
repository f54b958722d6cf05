package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.config.ConfigLoader;
import io.rollstream.config.ConfigWriter;
import io.rollstream.config.RunConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A new run takes a new or empty directory; a resume only the run it continues, with its model. */
class RunDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void aNewRunTakesAnAbsentOrEmptyDirectoryOnly() throws Exception {
        assertThatCode(() -> RunDirectory.requireNewOrEmpty(dir.resolve("new"), "--run-dir"))
                .doesNotThrowAnyException();
        assertThatCode(() -> RunDirectory.requireNewOrEmpty(dir, "--run-dir")).doesNotThrowAnyException();

        Files.writeString(dir.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> RunDirectory.requireNewOrEmpty(dir, "--run-dir"))
                .hasMessage("--run-dir " + dir + " already holds files (notes.txt): a new run needs a new or empty"
                        + " directory; choose another --run-dir");
        Files.writeString(dir.resolve("config.yaml"), "{}");
        Files.createDirectories(dir.resolve("policy"));
        Files.writeString(dir.resolve("metrics.jsonl"), "");
        assertThatThrownBy(() -> RunDirectory.requireNewOrEmpty(dir, "--out"))
                .hasMessage("--out " + dir + " already holds a run (config.yaml, metrics.jsonl, notes.txt, ...): a new"
                        + " run needs a new or empty directory; choose another --out, or continue that run with"
                        + " --resume-from " + dir);
        assertThatThrownBy(() -> RunDirectory.requireNewOrEmpty(dir.resolve("notes.txt"), "--run-dir"))
                .hasMessageContaining("is a file, not a directory");
    }

    @Test
    void aResumeContinuesItsOwnRunWithTheSameModel() {
        RunConfig run = ConfigLoader.parse("model: {d_model: 32, heads: 2}");
        assertThatThrownBy(() -> RunDirectory.requireResumable(dir, run))
                .hasMessageContaining("is not a run directory (it has no config.yaml)");

        ConfigWriter.write(run, dir.resolve("config.yaml"));
        assertThatCode(() -> RunDirectory.requireResumable(
                        dir,
                        ConfigLoader.parse("model: {d_model: 32, heads: 2}\n"
                                + "job: {max_steps: 500}\nlearner: {learning_rate: 1e-5}")))
                .doesNotThrowAnyException();
        RunConfig changed = ConfigLoader.parse(
                "model: {d_model: 64, heads: 2, positions: rotary}\n"
                        + "learner: {algorithm: reverse_kl}\nteacher: {checkpoint: t.rsckpt}\n"
                        + "buffer: {online_difficulty_filtering: false}",
                List.of());
        assertThatThrownBy(() -> RunDirectory.requireResumable(dir, changed))
                .hasMessage("--resume-from " + dir
                        + ": model.d_model is 64 here but 32 in the run being resumed; model.positions is rotary here but"
                        + " learned in the run being resumed; learner.algorithm is reverse_kl here but grpo in the run being"
                        + " resumed: a resumed run keeps its model, data source and algorithm; resume with --config "
                        + dir.resolve("config.yaml")
                        + " (with --set for what may change, e.g. job.max_steps), or start a new"
                        + " run");
    }
}
