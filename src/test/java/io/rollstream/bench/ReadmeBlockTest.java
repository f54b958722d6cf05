package io.rollstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

class ReadmeBlockTest {

    @TempDir
    Path dir;

    private static final String TABLES = "# Benchmarks\n\nWritten on a day.\n\n## model\n\n| a | b |\n\n## scaling\n\nx\n";

    @Test
    void theBlockBetweenTheMarkersGetsTheTablesOneHeadingLevelDownAndTheRestStays() throws Exception {
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# Project\n\n## Benchmarks\n\nProse before.\n\n" + ReadmeBlock.BEGIN
                + "\nold table\n" + ReadmeBlock.END + "\n\nProse after.\n");

        ReadmeBlock.update(readme, TABLES);
        ReadmeBlock.update(readme, TABLES); // idempotent: a second run replaces, never appends

        assertThat(Files.readString(readme)).isEqualTo("# Project\n\n## Benchmarks\n\nProse before.\n\n"
                + ReadmeBlock.BEGIN + "\nWritten on a day.\n\n### model\n\n| a | b |\n\n### scaling\n\nx\n"
                + ReadmeBlock.END + "\n\nProse after.\n");
    }

    @Test
    void aReadmeWithoutTheMarkersIsRefusedBeforeTheRunAndLeftAsItWas() throws Exception {
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# Project\n" + ReadmeBlock.END + "\n" + ReadmeBlock.BEGIN + "\n");

        assertThatThrownBy(() -> ReadmeBlock.requireBlock(readme)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(readme.toString()).hasMessageContaining("--readme none");
        assertThat(Files.readString(readme)).isEqualTo("# Project\n" + ReadmeBlock.END + "\n" + ReadmeBlock.BEGIN + "\n");
    }
}
