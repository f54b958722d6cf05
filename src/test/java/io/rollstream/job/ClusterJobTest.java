package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollstream.config.RunConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterJobTest {

    @TempDir
    Path dir;

    @Test
    void theConfigIsReadThroughFlinksFileSystemsWithOverrides() throws IOException {
        Path yaml = Files.writeString(dir.resolve("run.yaml"), "job: {name: on-cluster, max_steps: 7}\n");
        RunConfig c = ClusterJob.readConfig(yaml.toUri().toString(), List.of("job.max_steps=9"));
        assertThat(c.job().name()).isEqualTo("on-cluster");
        assertThat(c.job().maxSteps()).isEqualTo(9);
        // A plain path is a path on the local file system.
        assertThat(ClusterJob.readConfig(yaml.toString(), List.of()).job().maxSteps())
                .isEqualTo(7);
    }

    @Test
    void anUnreadableConfigNamesTheArgument() {
        String missing = dir.resolve("missing.yaml").toUri().toString();
        assertThatThrownBy(() -> ClusterJob.readConfig(missing, List.of()))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("--config " + missing + " cannot be read");
    }

    @Test
    void anInvalidConfigListsEveryProblemWithItsKey() throws IOException {
        Path yaml = Files.writeString(dir.resolve("bad.yaml"), "job: {max_steps: 0}\nrollout: {temprature: 2}\n");
        assertThatThrownBy(() -> ClusterJob.readConfig(yaml.toString(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid config " + yaml)
                .hasMessageContaining("job.max_steps")
                .hasMessageContaining("rollout.temprature");
    }

    @Test
    void missingProgramArgumentsSayWhatTheJobExpects() {
        assertThatThrownBy(() -> ClusterJob.main(new String[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--config")
                .hasMessageContaining("program arguments are --config PATH [--set key=value ...] [--run-dir DIR]");
    }
}
