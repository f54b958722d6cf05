package io.rollstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every config the repository ships (quickstart, recipes, experiments, CI) is valid under today's
 * rules: a rule added later must not leave a shipped config behind (the chaos test's config once
 * broke CI that way).
 */
class ShippedConfigsTest {

    static List<Path> shippedConfigs() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("configs"))) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("shippedConfigs")
    void loadsAndValidates(Path config) {
        assertThatCode(() -> ConfigLoader.load(config)).doesNotThrowAnyException();
    }

    @Test
    void theRepositoryShipsConfigs() throws IOException {
        assertThat(shippedConfigs()).hasSizeGreaterThan(5);
    }
}
