package io.rollstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchSuiteTest {

    @TempDir
    Path dir;

    @Test
    void benchAllKeepsWhatFollowsTheKeepLineAndNothingElse() throws Exception {
        Path file = dir.resolve("benchmarks.md");
        assertThat(BenchSuite.keptPart(file)).isEmpty();
        Files.writeString(file, "# Benchmarks\n\nold tables\n");
        assertThat(BenchSuite.keptPart(file)).isEmpty();
        String kept = BenchSuite.KEEP + "\n\n## model, 110M Llama\n\n| metric | value |\n";
        Files.writeString(file, "# Benchmarks\n\nold tables\n\n" + kept);
        assertThat(BenchSuite.keptPart(file)).isEqualTo("\n" + kept);
    }
}
