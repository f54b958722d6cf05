package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RunLog with the launcher's log4j configuration (tests otherwise get Flink's, which logs nothing). */
class RunLogTest {

    private static URI testsLogging;

    @BeforeAll
    static void theLaunchersLogging() throws Exception {
        testsLogging = ((LoggerContext) LogManager.getContext(false)).getConfigLocation();
        Configurator.reconfigure(
                RunLogTest.class.getResource("/log4j2.properties").toURI());
    }

    @AfterAll
    static void theTestsLogging() {
        Configurator.reconfigure(testsLogging);
    }

    @TempDir
    Path dir;

    @Test
    void runLogKeepsTheProgressStderrAndEveryLibraryWarningOnce() throws Exception {
        Logger library = LogManager.getLogger("org.apache.flink.runtime.SomeComponent");
        Logger rollstream = LogManager.getLogger("io.rollstream.job.Something");
        Path file = dir.resolve("run.log");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (RunLog log = RunLog.open(file, new PrintStream(console, true, StandardCharsets.UTF_8))) {
            log.out().println("rl   step   10/100");
            System.err.println("a stack trace");
            library.warn("a warning nobody can act on");
            library.info("below the configured level");
            rollstream.info("rollstream says");
        }
        library.warn("after the run");
        String text = Files.readString(file);
        assertThat(text)
                .contains(
                        "rl   step   10/100",
                        "a stack trace",
                        "WARN  SomeComponent - a warning nobody can act on",
                        "INFO  Something - rollstream says")
                .doesNotContain("below the configured level", "after the run");
        assertThat(text.split("a warning nobody can act on", -1))
                .as("written once")
                .hasSize(2);
        assertThat(text.split("rollstream says", -1)).as("written once").hasSize(2);
        assertThat(console.toString(StandardCharsets.UTF_8)).isEqualTo("rl   step   10/100\n");
    }

    @Test
    void theConsoleShowsOnlyErrorsOfLibrariesAndNothingOfTheCudaProbe() {
        Configuration config = ((LoggerContext) LogManager.getContext(false)).getConfiguration();
        assertThat(config.getRootLogger().getAppenderRefs())
                .singleElement()
                .satisfies(ref -> assertThat(ref.getLevel()).isEqualTo(Level.ERROR));
        assertThat(LogManager.getLogger("ai.djl.util.cuda.CudaUtils").isWarnEnabled())
                .isFalse();
        assertThat(LogManager.getLogger("io.rollstream.job.LocalRun").isInfoEnabled())
                .isTrue();
    }
}
